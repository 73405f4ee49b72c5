// The git source against hostile repositories on a real `git http-backend`: memory bombs stay outside the process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gitSource } from '../../server/sources/git.ts';
import { sourceOptions } from '../../server/sources/index.ts';
import { FetchError } from '../../server/sources/types.ts';
import { type GitServer, startGitServer } from '../support/git-server.ts';
import { startCommand } from '../support/process.ts';
import { startRecorder } from '../support/recorder.ts';
import { asText } from '../support/tree.ts';

const CHILD = path.join(import.meta.dirname, '..', 'support', 'git-fetch-child.ts');
const MB = 1024 * 1024;
let repo: GitServer;

before(async () => {
  repo = await startGitServer();
  repo.commit({ 'app.yaml': 'kind: ConfigMap\n' }); // a default branch, as every served repo has
});
after(async () => {
  await repo.close();
});

interface ChildOutcome {
  ok: boolean;
  name?: string;
  message?: string;
  files?: string[];
  maxRssBytes: number;
}

/** Fetches in a child started with the server's own V8 flags, so its peak RSS is the fetch's alone. */
function fetchInChild(ref: string): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...startCommand().flags, CHILD, repo.url, ref], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, OUTPOST_LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    // A guard, not a timing assertion: unfixed, the fetch inflates for many minutes; report it and stop it.
    const guard = setTimeout(() => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      child.kill('SIGKILL');
      out = JSON.stringify({
        ok: false,
        name: 'Unfinished',
        message: `still fetching after 120 s, peak RSS ${Math.round(hwm / MB)} MB`,
        maxRssBytes: hwm,
      });
    }, 120_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      try {
        resolve(JSON.parse(out) as ChildOutcome);
      } catch {
        reject(new Error(`fetch child ended (${code ?? signal}) without an answer: ${err.slice(-2000)}`));
      }
    });
  });
}

test('git source refuses a 700 MB blob from its pack header, before inflating it, with peak RSS under 300 MB', async (t) => {
  repo.commitZeros({ 'app.yaml': 'kind: ConfigMap\n' }, { path: 'big.yaml', bytes: 700 * MB }, 'huge');
  const got = await fetchInChild('huge');
  assert.equal(got.ok, false);
  assert.equal(got.name, 'FetchError');
  assert.match(
    got.message ?? '',
    /fleet\.git \(huge\): the repository holds a blob of 734003200 bytes \(pack object at offset \d+\), over the 16777216-byte limit per file; refused before unpacking it/,
  );
  t.diagnostic(`fetch child peak RSS ${Math.round(got.maxRssBytes / MB)} MB`);
  assert.ok(got.maxRssBytes < 300 * MB, `peak RSS ${Math.round(got.maxRssBytes / MB)} MB`);
});

test('git source still fetches a repository whose blobs are all within the limit', async () => {
  repo.commitZeros({ 'app.yaml': 'kind: ConfigMap\n' }, { path: 'zeros.yaml', bytes: MB }, 'fits');
  const got = await fetchInChild('fits');
  assert.equal(got.message, undefined);
  assert.deepEqual(got.files?.sort(), ['app.yaml', 'zeros.yaml']);
});

test('git source keeps files named constructor or prototype and refuses __proto__ by name', async () => {
  const source = (ref: string) =>
    gitSource(
      repo.url,
      ref,
      sourceOptions({ kind: 'git', url: repo.url, path: '.' }, { fetchTimeout: 5000 }),
    );
  const names = { constructor: 'a: 1\n', 'base/prototype': 'b: 2\n', 'app.yaml': 'kind: ConfigMap\n' };
  repo.commit(names, 'names', 'names');
  assert.deepEqual(asText((await source('names').fetch()).files), names);
  // A computed key makes an own property; a literal `__proto__:` would set the prototype instead.
  repo.commit({ ['__proto__']: 'kind: ConfigMap\n', 'app.yaml': 'kind: ConfigMap\n' }, 'proto', 'proto');
  await assert.rejects(
    source('proto').fetch(),
    (err: unknown) =>
      err instanceof FetchError &&
      /fleet\.git \(proto\): "__proto__": no file or folder may be named __proto__/.test(err.message),
  );
});

test('git source refuses a branch and tag list over its limit before isomorphic-git parses it', async () => {
  const tagged = await startGitServer(); // its own: 20,000 tags would slow every other test's fetch
  try {
    tagged.commit({ 'app.yaml': 'kind: ConfigMap\n' });
    const source = () =>
      gitSource(
        tagged.url,
        'main',
        sourceOptions({ kind: 'git', url: tagged.url, path: '.' }, { fetchTimeout: 10_000 }),
      );
    assert.ok((await source().fetch()).version);
    // ~60 bytes a ref in the list the server advertises to a fetch: 20,000 tags are over 1 MiB.
    tagged.bulkTags(20_000);
    await assert.rejects(
      source().fetch(),
      (err: unknown) =>
        err instanceof FetchError &&
        /fleet\.git\/info\/refs\?service=git-upload-pack: more than 1048576 bytes, over the download limit/.test(
          err.message,
        ),
    );
  } finally {
    await tagged.close();
  }
});

test('git source refuses a fetch answer cut into a million one-byte progress lines before isomorphic-git reads it', async () => {
  const sha = 'a'.repeat(40);
  const pkt = (text: string) => `${(text.length + 4).toString(16).padStart(4, '0')}${text}`;
  const advert = `${pkt('# service=git-upload-pack\n')}0000${pkt(`${sha} HEAD\0side-band-64k ofs-delta shallow\n`)}${pkt(`${sha} refs/heads/main\n`)}0000`;
  const progress = Buffer.from('0006\x02.', 'latin1');
  const answer = Buffer.concat([
    Buffer.from(pkt('NAK\n')),
    Buffer.alloc(progress.length * 1_000_000).fill(progress),
  ]);
  const server = await startRecorder((req, res) => {
    req.resume();
    if (req.url?.includes('/info/refs')) {
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' }).end(advert);
    } else res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-result' }).end(answer);
  });
  try {
    const url = `${server.url}/fleet.git`;
    await assert.rejects(
      gitSource(url, sha, sourceOptions({ kind: 'git', url, path: '.' }, { fetchTimeout: 10_000 })).fetch(),
      (err: unknown) =>
        err instanceof FetchError &&
        /fleet\.git \(a{40}\): the server's answer comes in more than 100000 pieces \(pkt-lines\); refused/.test(
          err.message,
        ),
    );
  } finally {
    await server.close();
  }
});
