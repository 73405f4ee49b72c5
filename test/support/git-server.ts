// A real Git server for tests: `git http-backend` (CGI) behind node:http on loopback, over a bare repo made here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GitRequestLog {
  method: string;
  path: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
}

export interface GitServer {
  /** Clone URL of the repo, e.g. http://127.0.0.1:1234/fleet.git */
  url: string;
  requests: GitRequestLog[];
  /**
   * Replaces the work tree with `files` (a string, or { symlink: target }), commits and pushes; returns the sha.
   * The message is kept verbatim (control characters included); `author` names the commit's author.
   */
  commit(
    files: Record<string, string | { symlink: string }>,
    message?: string,
    branch?: string,
    author?: string,
  ): string;
  /**
   * Commits `files` plus one file of `zeros.bytes` zero bytes straight into the served repo (git fast-import,
   * streamed: the big file never exists on disk or in this process), replacing the branch; returns the sha.
   * The pack keeps it deflated at level 9, so 700 MB of zeros is a ~700 KB download.
   */
  commitZeros(files: Record<string, string>, zeros: { path: string; bytes: number }, branch?: string): string;
  /** Creates `count` lightweight tags `bulk-<n>` at the branch head in one go (a long list of refs). */
  bulkTags(count: number, branch?: string): void;
  /** Creates (or moves, with force) a tag at the branch head; annotated unless `lightweight`. */
  tag(name: string, opts?: { lightweight?: boolean; branch?: string }): string;
  /** Answer every request with this status until set back to null. */
  failWith: number | null;
  /** Require HTTP Basic credentials. */
  auth: { username: string; password: string } | null;
  close(): Promise<void>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Fleet',
  GIT_AUTHOR_EMAIL: 'fleet@example.test',
  GIT_COMMITTER_NAME: 'Fleet',
  GIT_COMMITTER_EMAIL: 'fleet@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function run(cwd: string, ...args: string[]): string {
  return runAs(cwd, {}, ...args);
}

function runAs(cwd: string, env: Record<string, string>, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

export async function startGitServer(opts: { tls?: { key: string; cert: string } } = {}): Promise<GitServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'outpost-git-'));
  const bare = path.join(root, 'fleet.git');
  const work = path.join(root, 'work');
  run(root, 'init', '--bare', '-b', 'main', bare);
  run(root, 'init', '-b', 'main', work);
  run(work, 'remote', 'add', 'origin', bare);

  const requests: GitRequestLog[] = [];
  const server: GitServer = {
    url: '',
    requests,
    failWith: null,
    auth: null,
    commit(files, message = 'update', branch = 'main', author?: string) {
      if (run(work, 'branch', '--show-current') !== branch) {
        const exists = run(work, 'branch', '--list', branch) !== '';
        run(work, 'checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
      }
      for (const f of run(work, 'ls-files').split('\n').filter(Boolean))
        rmSync(path.join(work, f), { force: true });
      for (const [f, content] of Object.entries(files)) {
        const abs = path.join(work, f);
        mkdirSync(path.dirname(abs), { recursive: true });
        if (typeof content === 'string') writeFileSync(abs, content);
        else symlinkSync(content.symlink, abs);
      }
      run(work, 'add', '-A');
      const as: Record<string, string> = author === undefined ? {} : { GIT_AUTHOR_NAME: author };
      runAs(work, as, 'commit', '-q', '--allow-empty', '--cleanup=verbatim', '-m', message);
      run(work, 'push', '-q', '-f', 'origin', branch);
      return run(work, 'rev-parse', 'HEAD');
    },
    commitZeros(files, zeros, branch = 'main') {
      const head = path.join(root, 'fast-import-head');
      const tail = path.join(root, 'fast-import-tail');
      const inline = (p: string, content: string) =>
        `M 100644 inline ${p}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
      writeFileSync(
        head,
        `commit refs/heads/${branch}\ncommitter Fleet <fleet@example.test> 0 +0000\ndata 5\nhuge\n` +
          `M 100644 inline ${zeros.path}\ndata ${zeros.bytes}\n`,
      );
      writeFileSync(
        tail,
        `\n${Object.entries(files)
          .map(([p, c]) => inline(p, c))
          .join('')}\n`,
      );
      // Piped through the shell so the zeros flow from head(1) to git without passing through this process.
      const fi = spawnSync(
        'sh',
        [
          '-c',
          '{ cat "$1"; head -c "$2" /dev/zero; cat "$3"; } | git -c pack.compression=9 -c fastimport.unpackLimit=0 fast-import --quiet --force',
          'sh',
          head,
          String(zeros.bytes),
          tail,
        ],
        { cwd: bare, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' },
      );
      if (fi.status !== 0) throw new Error(`git fast-import failed: ${fi.stderr}`);
      return run(bare, 'rev-parse', `refs/heads/${branch}`);
    },
    bulkTags(count, branch = 'main') {
      const sha = run(bare, 'rev-parse', `refs/heads/${branch}`);
      const input = Array.from({ length: count }, (_, i) => `create refs/tags/bulk-${i} ${sha}\n`).join('');
      const r = spawnSync('git', ['update-ref', '--stdin'], { cwd: bare, input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git update-ref failed: ${r.stderr}`);
      run(bare, 'pack-refs', '--all');
    },
    tag(name, t = {}) {
      const at = t.branch ?? 'main';
      if (t.lightweight) run(work, 'tag', '-f', name, at);
      else run(work, 'tag', '-f', '-a', '-m', `release ${name}`, name, at);
      run(work, 'push', '-q', '-f', 'origin', `refs/tags/${name}`);
      return run(work, 'rev-parse', `${name}^{commit}`);
    },
    close: async () => {},
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const log: GitRequestLog = {
      method: req.method ?? '',
      path: req.url ?? '',
      status: 0,
      bytesIn: 0,
      bytesOut: 0,
    };
    requests.push(log);
    if (server.failWith !== null) {
      log.status = server.failWith;
      res.writeHead(server.failWith).end('injected failure');
      return;
    }
    if (server.auth) {
      const want = `Basic ${Buffer.from(`${server.auth.username}:${server.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        log.status = 401;
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fleet"' }).end();
        return;
      }
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.on('data', (c: Buffer) => {
      log.bytesIn += c.length;
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        log.bytesOut += chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const sep = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (sep < 0) return;
      const sepLen = head[sep] === 13 ? 4 : 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      log.status = status;
      res.writeHead(status, headers);
      headersDone = true;
      const rest = head.subarray(sep + sepLen);
      log.bytesOut += rest.length;
      res.write(rest);
    });
    cgi.on('close', () => res.end());
  };
  const srv = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  server.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/fleet.git`;
  server.close = () =>
    new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => {
        rmSync(root, { recursive: true, force: true });
        resolve();
      });
    });
  return server;
}
