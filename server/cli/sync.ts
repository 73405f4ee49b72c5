// `outpost sync --once`, `retry` and `rollback <revision>`: one reconcile in this process, exit 0 only on success.
import { parseArgs } from 'node:util';
import { reconcile } from '../sync/reconciler.ts';
import { cliActor, printRun, withReconciler } from './context.ts';
import { type Command, UsageError } from './io.ts';

export const syncCommand: Command = {
  name: 'sync',
  usage: 'sync --once [--allow-mass-prune]',
  summary:
    'one reconcile in this process, like a scheduled one; exit 0 only on success (--allow-mass-prune: confirm a prune of most running objects)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { once: { type: 'boolean' }, 'allow-mass-prune': { type: 'boolean' } },
    });
    if (!values.once) throw new UsageError('sync needs --once (the server runs the scheduled loop)');
    const opts = values['allow-mass-prune'] ? { allowMassPrune: true } : {};
    return withReconciler(async (deps) => printRun(await reconcile(deps, 'cli', cliActor(), opts)));
  },
};

export const retryCommand: Command = {
  name: 'retry',
  usage: 'retry',
  summary: 'apply the revision held after a failed rollout once more',
  async run(args) {
    parseArgs({ args, options: {} });
    return withReconciler(async (deps) =>
      printRun(await reconcile(deps, 'cli', cliActor(), { retry: true })),
    );
  },
};

export const rollbackCommand: Command = {
  name: 'rollback',
  usage: 'rollback <revision id>',
  summary: 'apply a stored revision (see `revisions`) with no network',
  async run(args) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('rollback needs a revision id (a number)');
    return withReconciler(async (deps) => printRun(await reconcile(deps, 'cli', cliActor(), { target: id })));
  },
};
