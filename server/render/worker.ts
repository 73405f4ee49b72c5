// The render worker's entry (see off-thread.ts): renders the tree it is given and posts the objects or the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileTree } from '../sources/types.ts';
import type { RenderOptions } from './index.ts';
import { render } from './index.ts';

const { files, root, opts } = workerData as { files: FileTree; root: string; opts: RenderOptions };
try {
  parentPort?.postMessage({ objects: render(files, root, opts) });
} catch (err) {
  const e = err as Error;
  parentPort?.postMessage({ error: { name: e.name ?? 'Error', message: e.message ?? String(err) } });
}
