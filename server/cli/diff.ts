// `outpost diff`: fetch, render and plan the desired state, then show what an apply would change, old → new value
// by value (Secret and env values hidden, as everywhere). Writes nothing.
import { parseArgs } from 'node:util';
import { previewChanges } from '../apply/diff.ts';
import { planObjects } from '../apply/plan.ts';
import { warmRenderWorker } from '../render/off-thread.ts';
import { changeLine, objectChanges } from '../sync/diff.ts';
import { DEFAULT_POLICY } from '../sync/types.ts';
import { renderForNode } from '../sync/vars.ts';
import { withReconciler } from './context.ts';
import { type Command, out } from './io.ts';

export const diffCommand: Command = {
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    // The render worker (started by cli.ts) loads and runs the render code once while this thread connects; a
    // failure here is the render's to report, when it runs.
    warmRenderWorker().catch(() => {});
    return withReconciler(async (deps) => {
      const fetched = await deps.source.fetch();
      const planned = await planObjects(await renderForNode(deps, fetched.files), deps.cluster);
      const changes = (
        await previewChanges(deps.cluster, planned, { ...DEFAULT_POLICY, ...deps.policy, values: true })
      ).map(({ before, after, ...c }) => ({
        ...c,
        changes: before && after ? objectChanges(before, after) : [],
      }));
      if (values.json) out(JSON.stringify(changes, null, 2));
      else
        for (const c of changes) {
          out(`${c.action.padEnd(10)} ${c.ref}${c.fields.length ? `  (${c.fields.join(', ')})` : ''}`);
          for (const f of c.changes) out(`             ${changeLine(f)}`);
        }
      return 0;
    });
  },
};
