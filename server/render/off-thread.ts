// Renders a large tree on a worker thread: parsing thousands of YAML documents takes the better part of a second
// of CPU, and on the main thread every page of the console would wait that long. Small trees render inline.
import { Worker } from 'node:worker_threads';
import type { KubeObject } from '../cluster/types.ts';
import type { FileTree } from '../sources/types.ts';
import { type RenderOptions, render } from './index.ts';

/** Trees up to this many bytes of files render inline: a worker's start costs more than they do. */
export const INLINE_BYTES = 64 * 1024;

/** What an error thrown in the worker arrives as: its class name and message survive, as the run reports them. */
class WorkerRenderError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export function renderOffThread(
  files: FileTree,
  root: string,
  opts: RenderOptions = {},
): Promise<KubeObject[]> {
  let bytes = 0;
  for (const text of Object.values(files)) bytes += text.length;
  if (bytes <= INLINE_BYTES) return Promise.resolve(render(files, root, opts));
  // The entry sits next to this module, .ts when run from source and .js in the stripped build.
  const entry = new URL(
    `./worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`,
    import.meta.url,
  );
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { files, root, opts } });
    let settled = false;
    worker.once('message', (m: { objects?: KubeObject[]; error?: { name: string; message: string } }) => {
      settled = true;
      if (m.error) reject(new WorkerRenderError(m.error.name, m.error.message));
      else resolve(m.objects ?? []);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the render worker stopped (exit code ${code}) before it answered`));
    });
  });
}
