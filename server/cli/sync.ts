// `outpost sync --once`, `retry` and `rollback <revision>`: one reconcile in this process, exit 0 only on success.
// The run's trigger says what was asked (cli for a plain sync, retry, rollback); its actor says `cli:<user>`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { getRevision, RevisionNotStored } from '../db/revisions.ts';
import { reconcile } from '../sync/reconciler.ts';
import { cliActor, printRun, withReconciler } from './context.ts';
import { type Command, UsageError } from './io.ts';
import { readStore } from './store.ts';

/** Staff confirmation of a prune of more than the allowed share of the running objects, for any reconciling command. */
const MASS_PRUNE = { 'allow-mass-prune': { type: 'boolean' } } as const;
const massPrune = (values: { 'allow-mass-prune'?: boolean | undefined }) =>
  values['allow-mass-prune'] ? { allowMassPrune: true } : {};

export const syncCommand: Command = {
  async run(args) {
    const { values } = parseArgs({ args, options: { once: { type: 'boolean' }, ...MASS_PRUNE } });
    if (!values.once) throw new UsageError('sync needs --once (the server runs the scheduled loop)');
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'cli', cliActor(), massPrune(values))),
    );
  },
};

export const retryCommand: Command = {
  async run(args) {
    const { values } = parseArgs({ args, options: MASS_PRUNE });
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'retry', cliActor(), { retry: true, ...massPrune(values) })),
    );
  },
};

export const rollbackCommand: Command = {
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: MASS_PRUNE, allowPositionals: true });
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('rollback needs a revision id (a number)');
    // A typo is answered from the store alone: no cluster connection, no run recorded.
    const config = loadConfig();
    const stored =
      existsSync(path.join(config.dataDir, 'outpost.db')) &&
      readStore(config.dataDir, (db) => getRevision(db, id) !== null);
    if (!stored) throw new RevisionNotStored(id);
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'rollback', cliActor(), { target: id, ...massPrune(values) })),
    );
  },
};
