// `outpost sync --once`, `retry` and `rollback <revision>`: one reconcile in this process, exit 0 only on success.
// The run's trigger says what was asked (cli for a plain sync, retry, rollback); its actor says `cli:<user>`.
import { parseArgs } from 'node:util';
import { reconcile } from '../sync/reconciler.ts';
import { cliActor, printRun, withReconciler } from './context.ts';
import { type Command, UsageError } from './io.ts';

/** Staff confirmation of a prune of more than the allowed share of the running objects, for any reconciling command. */
const MASS_PRUNE = { 'allow-mass-prune': { type: 'boolean' } } as const;
const massPrune = (values: { 'allow-mass-prune'?: boolean | undefined }) =>
  values['allow-mass-prune'] ? { allowMassPrune: true } : {};

export const syncCommand: Command = {
  name: 'sync',
  usage: 'sync --once [--allow-mass-prune]',
  summary:
    'one reconcile in this process, like a scheduled one; exit 0 only on success (--allow-mass-prune: confirm deleting more than OUTPOST_MAX_PRUNE_RATIO of the running objects)',
  async run(args) {
    const { values } = parseArgs({ args, options: { once: { type: 'boolean' }, ...MASS_PRUNE } });
    if (!values.once) throw new UsageError('sync needs --once (the server runs the scheduled loop)');
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'cli', cliActor(), massPrune(values))),
    );
  },
};

export const retryCommand: Command = {
  name: 'retry',
  usage: 'retry [--allow-mass-prune]',
  summary: 'apply the revision held after a failed rollout once more',
  async run(args) {
    const { values } = parseArgs({ args, options: MASS_PRUNE });
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'retry', cliActor(), { retry: true, ...massPrune(values) })),
    );
  },
};

export const rollbackCommand: Command = {
  name: 'rollback',
  usage: 'rollback <revision id> [--allow-mass-prune]',
  summary: 'apply a stored revision (see `revisions`) with no network',
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: MASS_PRUNE, allowPositionals: true });
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('rollback needs a revision id (a number)');
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'rollback', cliActor(), { target: id, ...massPrune(values) })),
    );
  },
};
