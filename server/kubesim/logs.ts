// Container output written after start (by tests or the demo) and the `follow=true` readers that stream it.
import type { ServerResponse } from 'node:http';

/** Lines kept per container: older ones fall off, as a kubelet rotates its log files. */
const KEPT_LINES = 1000;

type Follower = (line: string) => void;

function key(ns: string, pod: string, container: string): string {
  return `${ns}/${pod}/${container}`;
}

export class LogFeed {
  private readonly lines = new Map<string, string[]>();
  private readonly followers = new Map<string, Set<Follower>>();

  /** Lines written to a container so far (after its start banner). */
  written(ns: string, pod: string, container: string): string[] {
    return this.lines.get(key(ns, pod, container)) ?? [];
  }

  /** Writes one line of output to a container's log; every follower gets it at once. */
  write(ns: string, pod: string, container: string, line: string): void {
    const k = key(ns, pod, container);
    const kept = this.lines.get(k) ?? [];
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    this.lines.set(k, kept);
    for (const f of [...(this.followers.get(k) ?? [])]) f(line);
  }

  /** Subscribes to new lines of one container; returns the unsubscribe. */
  follow(ns: string, pod: string, container: string, fn: Follower): () => void {
    const k = key(ns, pod, container);
    let set = this.followers.get(k);
    if (!set) {
      set = new Set();
      this.followers.set(k, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.followers.delete(k);
    };
  }

  /** The pod went away: its output goes with it (followers are ended by their own pod watch). */
  forget(ns: string, pod: string): void {
    const prefix = `${ns}/${pod}/`;
    for (const k of [...this.lines.keys()]) if (k.startsWith(prefix)) this.lines.delete(k);
  }

  /** Open followers, for tests that check a client going away ends its stream here too. */
  followerCount(): number {
    let n = 0;
    for (const s of this.followers.values()) n += s.size;
    return n;
  }
}

/**
 * Streams `first` then every new line of the container until the client goes, the pod is deleted
 * (`onPodGone` registers that), `limitBytes` is reached or the simulator closes (via `open`).
 */
export function serveFollow(
  feed: LogFeed,
  where: { ns: string; pod: string; container: string },
  first: string,
  limitBytes: number,
  res: ServerResponse,
  open: Set<ServerResponse>,
  onPodGone: (fn: () => void) => () => void,
): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  open.add(res);
  let sent = 0;
  const write = (text: string): void => {
    if (res.writableEnded || text === '') return;
    const buf = Buffer.from(text, 'utf8');
    const room = limitBytes > 0 ? limitBytes - sent : buf.length;
    res.write(buf.subarray(0, room));
    sent += Math.min(room, buf.length);
    if (limitBytes > 0 && sent >= limitBytes) stop();
  };
  const unfollow = feed.follow(where.ns, where.pod, where.container, (line) => write(`${line}\n`));
  const unwatch = onPodGone(() => stop());
  function stop(): void {
    unfollow();
    unwatch();
    open.delete(res);
    if (!res.writableEnded) res.end();
  }
  res.on('close', stop);
  write(first);
}
