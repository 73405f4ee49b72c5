// The support tunnel against Debian's sshd on loopback: forwarding, host key pinning, expiry, reconnect, close.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { userInfo } from 'node:os';
import { after, afterEach, before, describe, test } from 'node:test';
import type { TunnelAuditEntry, TunnelConfig, TunnelStatus } from '../../server/tunnel/model.ts';
import { SupportTunnel } from '../../server/tunnel/tunnel.ts';
import { tunnelBannerModel } from '../../server/web/routes/tunnel.ts';
import { createViews } from '../../server/web/views.ts';
import { silentLog } from '../support/log.ts';
import { waitFor } from '../support/process.ts';
import { type Sshd, startSshd } from '../support/sshd.ts';

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const views = createViews({ nodeName: 'gateway-7', demo: null });
const banner = (tunnel: SupportTunnel) =>
  views.render('partials/tunnel-banner', { ...tunnelBannerModel(tunnel), csrfToken: 'tok' });

describe('support tunnel', () => {
  let sshd: Sshd;
  let consoleServer: Server;
  let consolePort: number;
  const tunnels: SupportTunnel[] = [];

  before(async () => {
    sshd = await startSshd();
    // Stands in for the console: answers with the address the request came from.
    consoleServer = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`console here; you came from ${req.socket.remoteAddress}`);
    });
    await new Promise<void>((r) => consoleServer.listen(0, '127.0.0.1', r));
    consolePort = (consoleServer.address() as AddressInfo).port;
  });
  afterEach(() => {
    for (const t of tunnels.splice(0)) t.close('test cleanup');
  });
  after(async () => {
    consoleServer.closeAllConnections();
    await new Promise((r) => consoleServer.close(r));
    await sshd.close();
  });

  function makeTunnel(over: Partial<TunnelConfig> = {}) {
    const audits: TunnelAuditEntry[] = [];
    const tunnel = new SupportTunnel({
      config: {
        host: '127.0.0.1',
        port: sshd.port,
        user: userInfo().username,
        keyFile: sshd.clientKeyFile,
        hostKey: sshd.hostKeyLine,
        remotePort: 0,
        maxMs: 8 * 3_600_000,
        ...over,
      },
      console: { host: '127.0.0.1', port: consolePort },
      audit: (e) => audits.push(e),
      log: silentLog,
      backoff: { baseMs: 200, capMs: 1000 },
      readyTimeoutMs: 5000,
    });
    tunnels.push(tunnel);
    return { tunnel, audits };
  }

  const until = (tunnel: SupportTunnel, state: TunnelStatus['state'], timeoutMs = 10_000) =>
    waitFor(`tunnel ${state}`, async () => tunnel.status().state === state && tunnel.status(), timeoutMs, 25);

  const results = (audits: TunnelAuditEntry[]) => audits.map((a) => `${a.action}:${a.result}`);

  test('a request through the forwarded bastion port reaches the console when the tunnel is open', async () => {
    const { tunnel, audits } = makeTunnel();
    const opened = tunnel.open({ minutes: 30, actor: 'alice' });
    assert.equal(opened.state, 'connecting');
    const s = await until(tunnel, 'open');
    assert.ok(s.remotePort && s.remotePort > 0, 'the bastion assigned a port');
    assert.equal(s.openedBy, 'alice');
    const minutesLeft = (Date.parse(s.until as string) - Date.now()) / 60_000;
    assert.ok(minutesLeft > 29 && minutesLeft <= 30, `until is 30 minutes out, got ${minutesLeft}`);
    const res = await fetch(`http://127.0.0.1:${s.remotePort}/`);
    // The console sees tunnel traffic from 127.0.0.2, so a loopback-only kiosk stays closed to the bastion.
    assert.equal(await res.text(), 'console here; you came from 127.0.0.2');
    assert.deepEqual(results(audits), ['tunnel-open:requested', 'tunnel-open:connected']);
    assert.equal(audits[1]?.detail, `port ${s.remotePort} on the bastion's loopback leads to the console`);
    assert.equal(audits[0]?.actor, 'alice');
    assert.equal(audits[0]?.target, `${userInfo().username}@127.0.0.1:${sshd.port}`);
    const html = banner(tunnel);
    assert.match(
      html,
      new RegExp(
        `<strong>Remote support connected</strong> until <time datetime="${s.until}">[^<]*\\d\\d:\\d\\d[^<]*</time> · opened by alice`,
      ),
    );
    assert.match(html, /hx-trigger="every 15s"/);
    assert.match(html, /<button type="submit">Close<\/button>/);
  });

  test('close by hand audits tunnel-close and the bastion port stops accepting', async () => {
    const { tunnel, audits } = makeTunnel({ hostKey: sshd.hostKeyFingerprint });
    tunnel.open({ actor: 'bob' });
    const s = await until(tunnel, 'open');
    const port = s.remotePort as number;
    assert.equal(await accepts(port), true);
    const closed = tunnel.close('bob');
    assert.equal(closed.state, 'closed');
    assert.equal(closed.until, undefined);
    await waitFor('the bastion port to close', async () => !(await accepts(port)), 5000, 50);
    assert.deepEqual(results(audits), ['tunnel-open:requested', 'tunnel-open:connected', 'tunnel-close:ok']);
    assert.equal(audits[2]?.actor, 'bob');
    // A second close has nothing to close and writes nothing.
    tunnel.close('bob');
    assert.equal(audits.length, 3);
  });

  test('the tunnel refuses a bastion whose host key is not the pinned one', async () => {
    const { tunnel, audits } = makeTunnel({ hostKey: sshd.wrongHostKeyLine });
    tunnel.open({ minutes: 5, actor: 'carol' });
    const s = await until(tunnel, 'closed');
    assert.match(s.lastError ?? '', /presented host key SHA256:\S+, not the pinned ssh-ed25519 SHA256:/);
    assert.ok(s.lastError?.includes(sshd.hostKeyFingerprint), 'names the key the bastion showed');
    // The console says it by its code; the audit line keeps the code and the sentence for support.
    assert.equal(s.problem, 'host-key-changed');
    assert.match(audits[1]?.detail ?? '', /^host-key-changed: the bastion .* presented host key SHA256:/);
    assert.equal(s.remotePort, undefined);
    assert.deepEqual(results(audits), ['tunnel-open:requested', 'tunnel-error:refused']);
    // No retry follows a refusal: nothing more is written.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(audits.length, 2);
    assert.equal(tunnel.status().state, 'closed');
  });

  test('the tunnel closes with the reason when the bastion refuses its key', async () => {
    const { tunnel, audits } = makeTunnel({ keyFile: sshd.strangerKeyFile });
    tunnel.open({ minutes: 5, actor: 'carol' });
    const s = await until(tunnel, 'closed');
    assert.match(s.lastError ?? '', /refused the tunnel key .*stranger_ed25519 for user \S+/);
    assert.equal(s.problem, 'key-refused');
    assert.deepEqual(results(audits), ['tunnel-open:requested', 'tunnel-error:refused']);
  });

  test('the tunnel closes by itself at expiry and the bastion port stops accepting', async () => {
    const { tunnel, audits } = makeTunnel();
    tunnel.open({ actor: 'dave', durationMs: 1500 });
    const s = await until(tunnel, 'open');
    const port = s.remotePort as number;
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    await until(tunnel, 'closed', 5000);
    await waitFor('the bastion port to close', async () => !(await accepts(port)), 5000, 50);
    assert.deepEqual(results(audits), ['tunnel-open:requested', 'tunnel-open:connected', 'tunnel-expire:ok']);
    assert.equal(audits[2]?.actor, 'system');
    assert.equal(tunnel.status().lastError, undefined);
  });

  test('the tunnel reconnects with backoff when the link drops and forwards again', async () => {
    const { tunnel, audits } = makeTunnel();
    tunnel.open({ minutes: 10, actor: 'erin' });
    const before = await until(tunnel, 'open');
    await sshd.kill();
    const down = await until(tunnel, 'reconnecting');
    assert.ok(down.lastError, 'says why the link is down');
    assert.ok(down.problem, 'with a code the console says in the reader’s words');
    assert.equal(down.remotePort, undefined);
    assert.equal(down.until, before.until, 'the end time does not move');
    assert.match(banner(tunnel), /Remote support reconnecting…/);
    // Let a few attempts fail against the stopped bastion before it comes back.
    await new Promise((r) => setTimeout(r, 800));
    await sshd.start();
    const again = await until(tunnel, 'open', 10_000);
    const res = await fetch(`http://127.0.0.1:${again.remotePort}/`);
    assert.match(await res.text(), /^console here/);
    const r = results(audits);
    assert.deepEqual(r.slice(0, 3), [
      'tunnel-open:requested',
      'tunnel-open:connected',
      'tunnel-error:dropped',
    ]);
    assert.equal(r.at(-1), 'tunnel-open:reconnected');
    assert.equal(r.filter((x) => x === 'tunnel-error:dropped').length, 1, 'one outage, one audit entry');
  });
});
