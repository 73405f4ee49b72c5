// The remote support tunnel: an outbound SSH link to a pinned bastion that forwards one bastion port to the console, for a limited time.

import { readFileSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import type { Logger } from 'pino';
import ssh2, { type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';
import { auditDetail } from '../audit-detail.ts';
import { backoffDelay } from '../backoff.ts';
import {
  describePins,
  fingerprintOf,
  type HostKeyPin,
  hostKeyAlgorithmsFor,
  matchesPin,
  parseHostKeyPins,
} from './hostkey.ts';
import {
  DEFAULT_TUNNEL_MINUTES,
  MAX_TUNNEL_MINUTES,
  type TunnelAuditEntry,
  type TunnelConfig,
  TunnelError,
  type TunnelProblem,
  type TunnelState,
  type TunnelStatus,
} from './model.ts';

// ssh2 is CommonJS and Node cannot see `utils` as a named export; take both from the module object.
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

/**
 * Forwarded connections reach the console from this loopback address, not 127.0.0.1, so that the console can tell
 * tunnel traffic from the gateway's own screen (a loopback-only kiosk must not open up to the bastion).
 */
export const TUNNEL_SOURCE_ADDRESS = '127.0.0.2';

/** Where the bastion binds the forwarded port: its loopback, so only someone logged in on the bastion reaches it. */
const BIND_ADDRESS = '127.0.0.1';

export interface SupportTunnelOptions {
  config: TunnelConfig;
  /** The console as seen from this process; forwarded connections are piped here. */
  console: { host: string; port: number };
  audit: (entry: TunnelAuditEntry) => void;
  log: Logger;
  /** Local address forwarded connections come from; null connects from the default address. */
  sourceAddress?: string | null;
  /** Reconnect delays; tests shorten them. */
  backoff?: { baseMs: number; capMs: number };
  keepaliveMs?: number;
  readyTimeoutMs?: number;
}

interface Session {
  until: number;
  openedBy: string;
  expiry?: NodeJS.Timeout;
  retry?: NodeJS.Timeout;
  client?: Client;
  /** Failed attempts since the link last worked; drives the backoff. */
  attempt: number;
  connectedAt?: number;
  everConnected: boolean;
  /** An outage is audited once, not at every retry. */
  outageAudited: boolean;
  /** Set when retrying cannot help (wrong host key, key refused, unreadable key file). */
  fatal?: TunnelProblem;
  sockets: Set<Socket>;
}

export class SupportTunnel {
  readonly #config: TunnelConfig;
  readonly #pins: HostKeyPin[];
  readonly #opts: SupportTunnelOptions;
  readonly #log: Logger;
  #state: TunnelState = 'closed';
  #session: Session | null = null;
  #remotePort: number | undefined;
  #lastError: TunnelProblem | undefined;

  constructor(opts: SupportTunnelOptions) {
    this.#opts = opts;
    this.#config = opts.config;
    this.#log = opts.log.child({ component: 'tunnel' });
    try {
      this.#pins = parseHostKeyPins(opts.config.hostKey);
    } catch (err) {
      throw new TunnelError(`OUTPOST_TUNNEL_HOST_KEY: ${(err as Error).message}`, 'internal', { cause: err });
    }
  }

  get bastion(): string {
    return `${this.#config.user}@${this.#config.host}:${this.#config.port}`;
  }

  /** The longest opening the page may offer, in minutes. */
  get maxMinutes(): number {
    return Math.min(MAX_TUNNEL_MINUTES, Math.floor(this.#config.maxMs / 60_000));
  }

  status(): TunnelStatus {
    const s: TunnelStatus = { state: this.#state, bastion: this.bastion };
    if (this.#session) {
      s.until = new Date(this.#session.until).toISOString();
      s.openedBy = this.#session.openedBy;
    }
    if (this.#state === 'open' && this.#remotePort !== undefined) s.remotePort = this.#remotePort;
    if (this.#lastError) {
      s.lastError = this.#lastError.text;
      s.problem = this.#lastError.code;
    }
    return s;
  }

  /**
   * Opens the tunnel (or, when it is already open, moves its end to `minutes` from now) and returns at once; the
   * link comes up in the background and status() follows it. `durationMs` is for tests only: it bypasses the
   * whole-minute form so expiry can be tested in seconds.
   */
  open({
    minutes,
    actor,
    durationMs,
  }: {
    minutes?: number;
    actor: string;
    durationMs?: number;
  }): TunnelStatus {
    let ms: number;
    if (durationMs !== undefined) {
      ms = durationMs;
    } else {
      const m = minutes ?? DEFAULT_TUNNEL_MINUTES;
      if (!Number.isInteger(m) || m < 1 || m > this.maxMinutes) {
        throw new TunnelError(`remote support can be opened for 1 to ${this.maxMinutes} minutes, not ${m}`);
      }
      ms = m * 60_000;
    }
    const until = Date.now() + ms;
    const target = this.bastion;
    const session = this.#session;
    if (session) {
      clearTimeout(session.expiry);
      session.until = until;
      session.expiry = this.#expiryTimer(session, ms);
      this.#opts.audit({
        actor,
        action: 'tunnel-open',
        target,
        result: 'extended',
        detail: auditDetail('tunnel-extended', { at: new Date(until).toISOString() }),
      });
      this.#log.info({ until: new Date(until).toISOString(), actor }, 'remote support extended');
      return this.status();
    }
    const fresh: Session = {
      until,
      openedBy: actor,
      attempt: 0,
      everConnected: false,
      outageAudited: false,
      sockets: new Set(),
    };
    fresh.expiry = this.#expiryTimer(fresh, ms);
    this.#session = fresh;
    this.#state = 'connecting';
    this.#lastError = undefined;
    this.#remotePort = undefined;
    this.#opts.audit({
      actor,
      action: 'tunnel-open',
      target,
      result: 'requested',
      detail: auditDetail('tunnel-requested', {
        n: Math.round(ms / 60_000),
        at: new Date(until).toISOString(),
      }),
    });
    this.#log.info(
      { bastion: target, until: new Date(until).toISOString(), actor },
      'remote support opening',
    );
    this.#connect(fresh);
    return this.status();
  }

  /** Closes the tunnel by hand; closing a closed tunnel changes nothing and is not audited. */
  close(actor: string, reason = auditDetail('tunnel-by-hand')): TunnelStatus {
    const session = this.#session;
    if (!session) return this.status();
    this.#teardown(session);
    this.#lastError = undefined;
    this.#opts.audit({ actor, action: 'tunnel-close', target: this.bastion, result: 'ok', detail: reason });
    this.#log.info({ actor, reason }, 'remote support closed');
    return this.status();
  }

  #expiryTimer(session: Session, ms: number): NodeJS.Timeout {
    // unref: an open tunnel must never be what keeps a stopping Outpost alive.
    return setTimeout(() => {
      if (this.#session !== session) return;
      this.#teardown(session);
      this.#opts.audit({
        actor: 'system',
        action: 'tunnel-expire',
        target: this.bastion,
        result: 'ok',
        detail: auditDetail('tunnel-ran-out', { name: session.openedBy }),
      });
      this.#log.info({ openedBy: session.openedBy }, 'remote support expired');
    }, ms).unref();
  }

  #connect(session: Session): void {
    if (this.#session !== session) return;
    const { host, port, user, keyFile, remotePort } = this.#config;
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(keyFile);
      const parsed = utils.parseKey(privateKey);
      if (parsed instanceof Error) throw parsed;
    } catch (err) {
      this.#fail(
        session,
        {
          code: 'key-unreadable',
          text: `cannot use the tunnel key file ${keyFile}: ${(err as Error).message}`,
        },
        err,
      );
      return;
    }
    const client = new Client();
    session.client = client;
    let down = false;
    let reason: TunnelProblem | undefined;
    const onDown = (err?: Error & { level?: string }) => {
      if (down) return;
      down = true;
      if (err && !reason) reason = this.#explain(err);
      client.destroy();
      if (session.client === client) session.client = undefined;
      this.#linkDown(
        session,
        reason ?? { code: 'closed', text: `the bastion ${host}:${port} closed the connection` },
      );
    };
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'client-authentication') {
        session.fatal = {
          code: 'key-refused',
          text: `the bastion ${host}:${port} refused the tunnel key ${keyFile} for user ${user}`,
        };
      }
      onDown(err);
    });
    client.on('close', () => onDown());
    client.on('ready', () => {
      client.forwardIn(BIND_ADDRESS, remotePort, (err, assigned) => {
        if (err) {
          reason = {
            code: 'forward-refused',
            text: `the bastion ${host}:${port} refused to forward port ${remotePort}: ${err.message}`,
          };
          client.end();
          return;
        }
        if (this.#session !== session || down) return;
        this.#linkUp(session, assigned);
      });
    });
    client.on('tcp connection', (_info, accept) => this.#pipe(session, accept()));
    const serverHostKey = hostKeyAlgorithmsFor(this.#pins) as ServerHostKeyAlgorithm[] | undefined;
    client.connect({
      host,
      port,
      username: user,
      privateKey,
      readyTimeout: this.#opts.readyTimeoutMs ?? 20_000,
      keepaliveInterval: this.#opts.keepaliveMs ?? 15_000,
      keepaliveCountMax: 3,
      ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
      hostVerifier: (key: Buffer) => {
        if (matchesPin(this.#pins, key)) return true;
        session.fatal = {
          code: 'host-key-changed',
          text:
            `the bastion ${host}:${port} presented host key ${fingerprintOf(key)}, ` +
            `not the pinned ${describePins(this.#pins)}: refused. If the bastion's key really changed, ` +
            'set OUTPOST_TUNNEL_HOST_KEY to the new one.',
        };
        return false;
      },
    });
  }

  #linkUp(session: Session, assigned: number): void {
    const again = session.everConnected;
    session.everConnected = true;
    session.connectedAt = Date.now();
    session.outageAudited = false;
    this.#state = 'open';
    this.#remotePort = assigned;
    this.#lastError = undefined;
    this.#opts.audit({
      actor: 'system',
      action: 'tunnel-open',
      target: this.bastion,
      result: again ? 'reconnected' : 'connected',
      detail: auditDetail('tunnel-port', { port: assigned }),
    });
    this.#log.info(
      { bastion: this.bastion, remotePort: assigned },
      `remote support ${again ? 're' : ''}connected`,
    );
  }

  #linkDown(session: Session, reason: TunnelProblem): void {
    if (this.#session !== session) return;
    for (const s of session.sockets) s.destroy();
    session.sockets.clear();
    if (session.fatal) {
      this.#fail(session, session.fatal);
      return;
    }
    // A link that held for a while starts the backoff afresh; one that keeps dropping at once keeps backing off.
    if (session.connectedAt && Date.now() - session.connectedAt > 30_000) session.attempt = 0;
    session.connectedAt = undefined;
    const wasOpen = this.#state === 'open';
    this.#state = session.everConnected ? 'reconnecting' : 'connecting';
    this.#remotePort = undefined;
    this.#lastError = reason;
    const delay = backoffDelay(session.attempt++, this.#opts.backoff ?? { baseMs: 1000, capMs: 60_000 });
    if (!session.outageAudited) {
      session.outageAudited = true;
      this.#opts.audit({
        actor: 'system',
        action: 'tunnel-error',
        target: this.bastion,
        result: wasOpen ? 'dropped' : 'retrying',
        detail: auditDetail('tunnel-problem', { code: reason.code, error: reason.text }),
      });
    }
    this.#log.warn(
      { reason: reason.text, retryInMs: delay, attempt: session.attempt },
      'remote support link down; retrying',
    );
    session.retry = setTimeout(() => this.#connect(session), delay).unref();
  }

  /** A problem retrying cannot fix: close, keep the reason for the page, audit it. */
  #fail(session: Session, reason: TunnelProblem, cause?: unknown): void {
    if (this.#session !== session) return;
    this.#teardown(session);
    this.#lastError = reason;
    this.#opts.audit({
      actor: 'system',
      action: 'tunnel-error',
      target: this.bastion,
      result: 'refused',
      detail: auditDetail('tunnel-problem', { code: reason.code, error: reason.text }),
    });
    this.#log.error({ reason: reason.text, err: cause }, 'remote support refused');
  }

  #teardown(session: Session): void {
    clearTimeout(session.expiry);
    clearTimeout(session.retry);
    for (const s of session.sockets) s.destroy();
    session.sockets.clear();
    const client = session.client;
    session.client = undefined;
    if (client) {
      // A polite disconnect lets the bastion free the port at once; destroy in case it never answers.
      client.end();
      setTimeout(() => client.destroy(), 2000).unref();
    }
    this.#session = null;
    this.#state = 'closed';
    this.#remotePort = undefined;
  }

  #pipe(session: Session, channel: ClientChannel): void {
    const { host, port } = this.#opts.console;
    const source = this.#opts.sourceAddress === undefined ? TUNNEL_SOURCE_ADDRESS : this.#opts.sourceAddress;
    const isLoopback = /^127\./.test(host);
    const sock = tcpConnect({
      host,
      port,
      ...(source && isLoopback ? { localAddress: source } : {}),
    });
    session.sockets.add(sock);
    sock.on('close', () => {
      session.sockets.delete(sock);
      channel.destroy();
    });
    sock.on('error', (err) => {
      this.#log.warn(
        { err, console: `${host}:${port}` },
        'a forwarded connection could not reach the console',
      );
    });
    channel.on('error', () => sock.destroy());
    channel.on('close', () => sock.destroy());
    channel.pipe(sock).pipe(channel);
  }

  #explain(err: Error & { level?: string; code?: string }): TunnelProblem {
    const { host, port } = this.#config;
    if (err.code === 'ECONNREFUSED')
      return {
        code: 'connection-refused',
        text: `nothing answers on the bastion ${host}:${port} (connection refused)`,
      };
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
      return { code: 'no-such-host', text: `the bastion name ${host} does not resolve` };
    if (err.level === 'client-timeout')
      return { code: 'timeout', text: `the bastion ${host}:${port} did not answer in time` };
    return { code: 'link-failed', text: `link to the bastion ${host}:${port} failed: ${err.message}` };
  }
}
