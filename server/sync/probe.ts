// A cheap "is the upstream back?" check: a TCP connect to the source's host, or a stat of a local folder.
import { access } from 'node:fs/promises';
import net from 'node:net';

export function reachabilityProbe(
  source: { kind: string; url: string },
  timeoutMs = 3_000,
): () => Promise<boolean> {
  if (source.kind === 'dir' || source.kind === 'upload') {
    return () =>
      access(source.url).then(
        () => true,
        () => false,
      );
  }
  const url = new URL(source.url.replace(/^oci:\/\//, 'https://'));
  const port = Number(url.port) || (url.protocol === 'http:' ? 80 : 443);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port, timeout: timeoutMs });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(false));
      socket.once('error', () => done(false));
    });
}
