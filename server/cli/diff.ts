// `outpost diff`: fetch, render and plan the desired state, then show what an apply would change. Writes nothing.
import { parseArgs } from 'node:util';
import { previewChanges } from '../apply/diff.ts';
import { planObjects } from '../apply/plan.ts';
import { DEFAULT_POLICY } from '../sync/types.ts';
import { renderForNode } from '../sync/vars.ts';
import { withReconciler } from './context.ts';
import { type Command, out } from './io.ts';

export const diffCommand: Command = {
  name: 'diff',
  usage: 'diff [--json]',
  summary: 'what the next sync would change on the cluster (server dry-run), without applying',
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    return withReconciler(async (deps) => {
      const fetched = await deps.source.fetch();
      const planned = await planObjects(await renderForNode(deps, fetched.files), deps.cluster);
      const changes = await previewChanges(deps.cluster, planned, { ...DEFAULT_POLICY, ...deps.policy });
      if (values.json) out(JSON.stringify(changes, null, 2));
      else
        for (const c of changes)
          out(`${c.action.padEnd(10)} ${c.ref}${c.fields.length ? `  (${c.fields.join(', ')})` : ''}`);
      return 0;
    });
  },
};
