// The simulator's watch semantics (resume, bookmarks, 410 Gone past the window) and pod log follow, also under kubectl.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';
import { type SimClient, simClient, waitFor } from '../../server/kubesim/testing.ts';
import { cm, makeNamespace } from '../support/kubesim.ts';

let sim: Kubesim;
let k: SimClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubesim-watch-'));
  sim = await startKubesim({
    readyDelayMs: 20,
    bookmarkMs: 50,
    kubeconfigPath: path.join(dir, 'kubeconfig'),
  });
  k = simClient(sim.url);
  await makeNamespace(k, 'w');
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Line {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    metadata: { name?: string; resourceVersion?: string };
  };
}

/** Opens a stream and collects its JSON lines (or raw text) until `stop` or the server ends it. */
function stream(url: string) {
  const ac = new AbortController();
  const lines: Line[] = [];
  let text = '';
  let ended = false;
  const done = (async () => {
    const res = await fetch(url, { signal: ac.signal });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (!url.includes('watch=true')) continue;
        let i = text.indexOf('\n');
        while (i >= 0) {
          lines.push(JSON.parse(text.slice(0, i)));
          text = text.slice(i + 1);
          i = text.indexOf('\n');
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    lines,
    text: () => text,
    ended: () => ended,
    stop: async () => {
      ac.abort();
      await done;
    },
    done,
  };
}

async function runningPod(name: string): Promise<void> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'w' },
    spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
  };
  assert.equal((await k.post('/api/v1/namespaces/w/pods', pod)).status, 201);
  await waitFor(
    async () => (await k.get(`/api/v1/namespaces/w/pods/${name}`)).body.status?.phase === 'Running',
    5000,
    `pod ${name} running`,
  );
}

describe('watch', () => {
  test('a watch resumed from a resourceVersion gets only the changes after it', async () => {
    await k.post('/api/v1/namespaces/w/configmaps', cm('before', 'w'));
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    await k.post('/api/v1/namespaces/w/configmaps', cm('after', 'w'));
    const s = stream(`${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    await waitFor(
      async () => s.lines.some((l) => l.object.metadata.name === 'after'),
      3000,
      'resumed events',
    );
    await s.stop();
    // The namespace's own objects (kube-root-ca.crt) may arrive at any time; only ours are counted.
    const ours = s.lines.filter((l) => ['before', 'after'].includes(l.object.metadata.name ?? ''));
    assert.deepEqual(
      ours.map((l) => `${l.type} ${l.object.metadata.name}`),
      ['ADDED after'],
    );
  });

  test('allowWatchBookmarks brings BOOKMARK events carrying the current resourceVersion', async () => {
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    const s = stream(
      `${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`,
    );
    await waitFor(async () => s.lines.some((l) => l.type === 'BOOKMARK'), 3000, 'a bookmark');
    await s.stop();
    const mark = s.lines.find((l) => l.type === 'BOOKMARK');
    assert.equal(mark?.object.kind, 'ConfigMap');
    assert.ok(Number(mark?.object.metadata.resourceVersion) >= Number(rv));
  });

  test('without allowWatchBookmarks no BOOKMARK is sent', async () => {
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    const s = stream(`${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    // A change after several bookmark intervals' worth of other events proves the stream was live all along.
    for (let i = 0; i < 5; i++) await k.post('/api/v1/namespaces/w/configmaps', cm(`nb-${i}`, 'w'));
    await waitFor(async () => s.lines.length >= 5, 3000, 'five events');
    await s.stop();
    assert.ok(s.lines.every((l) => l.type !== 'BOOKMARK'));
  });

  test('a watch from a version older than the kept window gets an ERROR event with a 410 Status and ends', async () => {
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    await k.post('/api/v1/namespaces/w/configmaps', cm('compacted', 'w'));
    sim.compact();
    const s = stream(`${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    await s.done;
    assert.equal(s.lines.length, 1);
    assert.equal(s.lines[0]?.type, 'ERROR');
    assert.equal(s.lines[0]?.object.kind, 'Status');
    assert.equal(s.lines[0]?.object.code, 410);
    assert.equal(s.lines[0]?.object.reason, 'Expired');
  });

  test('the window is the last historySize changes', async () => {
    const small = await startKubesim({ historySize: 3 });
    try {
      const c = simClient(small.url);
      const rv = (await c.get('/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
      for (let i = 0; i < 4; i++) await c.post('/api/v1/namespaces/default/configmaps', cm(`h${i}`));
      const expired = stream(
        `${small.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`,
      );
      await expired.done;
      assert.equal(expired.lines[0]?.object.code, 410);
      const latest = (await c.get('/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
      const fresh = stream(
        `${small.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${Number(latest) - 1}`,
      );
      await waitFor(async () => fresh.lines.length >= 1, 3000, 'the last change');
      await fresh.stop();
      assert.equal(fresh.lines[0]?.type, 'ADDED');
    } finally {
      await small.close();
    }
  });
});

describe('restarts', () => {
  test('a watch from a version the server has not reached gets 504 ResourceVersionTooLarge', async () => {
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    const res = await k.get(
      `/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${Number(rv) + 1000}`,
    );
    assert.equal(res.status, 504);
    assert.equal(res.body.details.causes[0].reason, 'ResourceVersionTooLarge');
  });

  test('restart drops open watches, refuses while down, then serves the same objects resumable', async () => {
    const rv = (await k.get('/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion;
    const s = stream(`${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    await waitFor(async () => (await k.get('/version')).status === 200, 3000, 'the watch to be open');
    const restarting = sim.restart(100);
    await s.done;
    assert.ok(s.ended(), 'the open watch ended with the restart');
    await restarting;
    await k.post('/api/v1/namespaces/w/configmaps', cm('after-restart', 'w'));
    const resumed = stream(`${sim.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    await waitFor(
      async () => resumed.lines.some((l) => l.object.metadata.name === 'after-restart'),
      3000,
      'the resumed watch',
    );
    await resumed.stop();
    assert.ok(resumed.lines.every((l) => l.type !== 'ERROR'));
  });
});

describe('pod log follow', () => {
  test('follow streams lines written after the start and stops at the client going', async () => {
    await runningPod('talker');
    const s = stream(`${sim.url}/api/v1/namespaces/w/pods/talker/log?follow=true`);
    await waitFor(async () => s.text().includes('outpost-sim: ready'), 3000, 'the start banner');
    sim.writeLog('w', 'talker', 'first line');
    await waitFor(async () => s.text().includes('first line\n'), 3000, 'a written line');
    assert.equal(sim.logFollowers(), 1);
    await s.stop();
    await waitFor(async () => sim.logFollowers() === 0, 3000, 'the follower to go');
    // A plain read has the written line too.
    assert.match((await k.get('/api/v1/namespaces/w/pods/talker/log')).body, /first line/);
  });

  test('a followed log ends when the pod is deleted, and at limitBytes', async () => {
    await runningPod('brief');
    const s = stream(`${sim.url}/api/v1/namespaces/w/pods/brief/log?follow=true`);
    await waitFor(async () => s.text().includes('ready'), 3000, 'the start banner');
    await k.del('/api/v1/namespaces/w/pods/brief');
    await s.done;
    assert.ok(s.ended());
    await runningPod('capped');
    const capped = stream(`${sim.url}/api/v1/namespaces/w/pods/capped/log?follow=true&limitBytes=20`);
    await capped.done;
    assert.equal(Buffer.byteLength(capped.text()), 20);
  });
});

describe('kubectl', () => {
  /** Runs kubectl until `until` matches its output, then stops it. */
  async function kubectlUntil(
    args: string[],
    until: RegExp,
    act: (printed: () => string) => Promise<void>,
  ): Promise<string> {
    const child: ChildProcess = spawn(
      'kubectl',
      ['--kubeconfig', sim.kubeconfigPath as string, '--cache-dir', path.join(dir, 'cache'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await act(() => out);
      await waitFor(async () => until.test(out), 15_000, `kubectl ${args.join(' ')} to print ${until}`);
    } finally {
      child.kill();
      await exited;
    }
    return out;
  }

  test('kubectl get --watch prints a ConfigMap created after it started', async () => {
    const out = await kubectlUntil(
      ['get', 'configmaps', '-n', 'w', '--watch', '--output-watch-events'],
      /ADDED\s+seen-by-kubectl\s/,
      async (printed) => {
        // The initial list comes first; the new object then arrives over the watch.
        await waitFor(async () => /ADDED\s+before\s/.test(printed()), 15_000, 'the initial list');
        await k.post('/api/v1/namespaces/w/configmaps', cm('seen-by-kubectl', 'w'));
      },
    );
    assert.match(out, /^EVENT\s+NAME\s+DATA\s+AGE/m);
  });

  test('kubectl logs -f prints a line written after it started', async () => {
    await runningPod('kubectl-logs');
    const out = await kubectlUntil(
      ['logs', '-f', '-n', 'w', 'kubectl-logs'],
      /written for kubectl/,
      async () => {
        await waitFor(async () => sim.logFollowers() > 0, 15_000, 'kubectl to follow');
        sim.writeLog('w', 'kubectl-logs', 'written for kubectl');
      },
    );
    assert.match(out, /outpost-sim: ready/);
  });
});
