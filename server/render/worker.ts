// The render worker's entry (see off-thread.ts): renders each tree it is sent and posts the objects or the error.
import { parentPort } from 'node:worker_threads';
import { freezePrototypes } from '../harden.ts';
import type { FileTree } from '../sources/types.ts';
import type { RenderOptions } from './index.ts';
import { render } from './index.ts';

// After the imports: what fleet content could still reach can no longer change the shared prototypes.
freezePrototypes();

parentPort?.on('message', ({ files, root, opts }: { files: FileTree; root: string; opts: RenderOptions }) => {
  try {
    parentPort?.postMessage({ objects: render(files, root, opts) });
  } catch (err) {
    const e = err as Error;
    parentPort?.postMessage({ error: { name: e.name ?? 'Error', message: e.message ?? String(err) } });
  }
});
