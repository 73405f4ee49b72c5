// What bounding renders costs and holds: the worker's start and warm reuse, and the process's peak RSS and
// the named error for each hostile input of issue 11 (rendered as the server renders, on the worker).
import { renderOffThread, stopRenderWorker } from '../../server/render/off-thread.ts';
import { YAML_LIMITS } from '../../server/render/yaml.ts';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Runs `fn`, sampling RSS every 10 ms: its time, peak RSS and outcome (objects or the error's message). */
async function measure(fn: () => Promise<unknown[]>): Promise<{ ms: number; peak: number; outcome: string }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const start = performance.now();
  let outcome: string;
  try {
    outcome = `${(await fn()).length} objects`;
  } catch (err) {
    outcome = `${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    clearInterval(sampler);
  }
  return { ms: performance.now() - start, peak, outcome };
}

const small = { 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n' };

function configMaps(files: number, perFile: number): Record<string, string> {
  const tree: Record<string, string> = {};
  for (let f = 0; f < files; f++) {
    tree[`app/f${String(f).padStart(3, '0')}.yaml`] = Array.from(
      { length: perFile },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-${f}-${i}\ndata:\n  k: v\n`,
    ).join('---\n');
  }
  return tree;
}

export const renderLimits = {
  id: 'render-limits',
  title: 'Render worker: start, reuse, and hostile inputs (peak RSS of the whole process, target < 300 MB)',
  async run(): Promise<[string, string][]> {
    await stopRenderWorker();
    const rows: [string, string][] = [['RSS before any render', mb(process.memoryUsage().rss)]];
    const cold = await measure(() => renderOffThread(small, 'ns.yaml'));
    rows.push(['worker start + 1-object render (cold)', ms(cold.ms)]);
    const warm = await measure(() => renderOffThread(small, 'ns.yaml'));
    rows.push(['1-object render on the warm worker', ms(warm.ms)]);
    rows.push(['RSS with the warm worker idle', mb(process.memoryUsage().rss)]);
    const half = (YAML_LIMITS.maxBytes - 16) / 2;
    const cases: [string, Record<string, string>, string, { timeoutMs: number }?][] = [
      ['10,000 ConfigMaps (the cap), legal', configMaps(10, 1_000), 'app'],
      ['1 MB of nested [[[…]]]', { 'bomb.yaml': `${'['.repeat(half)}${']'.repeat(half)}` }, 'bomb.yaml'],
      ['100 files × 2,000 documents', configMaps(100, 2_000), 'app'],
      ['10,000 ConfigMaps past a 500 ms deadline', configMaps(10, 1_000), 'app', { timeoutMs: 500 }],
    ];
    for (const [name, files, root, limits] of cases) {
      const r = await measure(() => renderOffThread(files, root, {}, limits));
      rows.push([name, `${ms(r.ms)}, peak RSS ${mb(r.peak)} — ${r.outcome}`]);
    }
    await stopRenderWorker();
    return rows;
  },
};
