// The real process: HTTPS from a certificate pair, a base path, the enrollment code printed in the log and
// used once, the metrics token read from its file; a missing certificate stops the start.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bodyText } from '../support/http.ts';
import { freePort, ROOT, waitFor } from '../support/process.ts';
import { selfSignedCert } from '../support/tls.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('outpost process: TLS, base path, first run', () => {
  let dir: string;
  let proc: ChildProcess;
  let port: number;
  let ca: Buffer;
  const logs: string[] = [];
  const cookies = new Map<string, string>();

  /** HTTPS with the test's own CA, keeping cookies like a browser. */
  const call = (
    method: string,
    p: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: p,
          method,
          ca,
          servername: 'localhost',
          headers: {
            cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...headers,
          },
        },
        async (res) => {
          const text = await bodyText(res);
          for (const c of res.headers['set-cookie'] ?? []) {
            const [k, v] = (c.split(';')[0] as string).split('=');
            cookies.set(k as string, v as string);
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const start = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'server', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => logs.push(c.toString()));
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString()));
    return child;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-tls-'));
    selfSignedCert(dir, {
      cn: 'localhost',
      days: 1,
      altNames: 'DNS:localhost,IP:127.0.0.1',
      keyFile: 'tls.key',
      certFile: 'tls.crt',
    });
    ca = readFileSync(path.join(dir, 'tls.crt'));
    writeFileSync(path.join(dir, 'metrics-token'), 'fleet-prometheus-token\n');
    port = await freePort();
    proc = start({
      OUTPOST_DEMO: '1',
      OUTPOST_PORT: String(port),
      OUTPOST_DATA_DIR: path.join(dir, 'data'),
      OUTPOST_TLS_CERT_FILE: path.join(dir, 'tls.crt'),
      OUTPOST_TLS_KEY_FILE: path.join(dir, 'tls.key'),
      OUTPOST_BASE_PATH: '/support/gw-17',
      OUTPOST_METRICS_TOKEN_FILE: path.join(dir, 'metrics-token'),
      OUTPOST_LOG_LEVEL: 'info',
    });
    await waitFor('Outpost is up', async () => logs.join('').includes('"Outpost is up"'), 30_000);
  });
  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('the log names the HTTPS address under the base path and prints a one-time enrollment code', () => {
    const text = logs.join('');
    assert.match(text, new RegExp(`"url":"https://127\\.0\\.0\\.1:${port}/support/gw-17/"`));
    assert.match(
      text,
      /FIRST RUN: no admin yet\. Open https:\/\/127\.0\.0\.1:\d+\/support\/gw-17\/setup and enter the enrollment code [0-9A-Z]{4}-/,
    );
  });

  test('the printed code creates the admin once over HTTPS, with a Secure cookie under the base path', async () => {
    const code = /"enrollmentCode":"([0-9A-Z-]+)"/.exec(logs.join(''))?.[1] ?? '';
    const login = await call('GET', '/support/gw-17/login');
    assert.equal(login.status, 200);
    assert.match(login.body, /href="\/support\/gw-17\/setup"/, 'the sign-in page points to first-run setup');
    const setupPage = await call('GET', '/support/gw-17/setup');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(setupPage.body)?.[1] ?? '';
    const form = new URLSearchParams({
      _csrf: csrf,
      code,
      username: 'tech',
      password: 'a long enough password',
      password2: 'a long enough password',
    });
    const done = await call('POST', '/support/gw-17/setup', form.toString());
    assert.equal(done.status, 303, done.body);
    assert.equal(done.headers.location, '/support/gw-17/');
    const cookie =
      (done.headers['set-cookie'] as string[]).find((c) => c.startsWith('outpost_session=')) ?? '';
    assert.match(cookie, /Path=\/support\/gw-17\/; HttpOnly; Secure; SameSite=Strict/);
    assert.equal((await call('GET', '/support/gw-17/')).status, 200);
    assert.equal((await call('GET', '/support/gw-17/setup')).status, 404);
  });

  test('/metrics takes the token from its file', async () => {
    cookies.clear();
    assert.equal((await call('GET', '/support/gw-17/metrics')).status, 401);
    const ok = await call('GET', '/metrics', undefined, { authorization: 'Bearer fleet-prometheus-token' });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /outpost_/);
  });

  test('a missing certificate stops the start with the file named, before anything listens', async () => {
    const child = start({
      OUTPOST_DEMO: '1',
      OUTPOST_PORT: String(await freePort()),
      OUTPOST_DATA_DIR: path.join(dir, 'data2'),
      OUTPOST_TLS_CERT_FILE: path.join(dir, 'missing.crt'),
      OUTPOST_TLS_KEY_FILE: path.join(dir, 'tls.key'),
    });
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 1);
    assert.match(logs.join(''), /cannot read the TLS certificate file .*missing\.crt/);
  });
});
