// A followed pod log through the library's `Log` (follow=true), ended by destroying the stream it returns.
import { PassThrough, type Readable } from 'node:stream';
import { ClusterError } from './client.ts';
import type { KubeConfig } from './kubeconfig.ts';
import { logModule } from './library.ts';

export interface FollowOptions {
  container: string;
  /** Lines of the past to send first (0: only what comes from now on). */
  tailLines: number;
  /** The API server ends the stream after this many bytes. */
  limitBytes: number;
}

/**
 * The container's new lines as they come. Destroying the returned stream aborts the request. `Log` pipes its
 * response into our stream without listening for the response's errors, so an abort would surface as an
 * uncaught AbortError: the piped source's errors are caught here and end our stream instead.
 */
export async function followLog(
  kc: KubeConfig,
  pod: { namespace: string; name: string },
  opts: FollowOptions,
): Promise<Readable> {
  const { Log } = await logModule();
  const out = new PassThrough();
  out.on('pipe', (src: Readable) => src.on('error', (err) => out.destroy(err)));
  let controller: AbortController;
  try {
    controller = await new Log(kc).log(pod.namespace, pod.name, opts.container, out, {
      follow: true,
      tailLines: opts.tailLines,
      limitBytes: opts.limitBytes,
    });
  } catch (err) {
    out.destroy();
    const status = (err as { code?: number }).code ?? 0;
    const body = (err as { body?: unknown }).body;
    const message =
      typeof body === 'string'
        ? body
        : ((body as { message?: string } | undefined)?.message ?? (err as Error).message);
    throw new ClusterError(`log of pod ${pod.namespace}/${pod.name}: ${message}`, status, 'LogFailed', {
      cause: err,
    });
  }
  out.on('close', () => controller.abort());
  return out;
}
