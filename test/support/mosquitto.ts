// A real MQTT broker for tests: Debian's mosquitto on loopback, with TLS and a password file when asked,
// persistence so QoS 1 messages survive a restart, and a restart on the same port.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './process.ts';
import { selfSignedCert } from './tls.ts';

export interface Broker {
  /** mqtt://127.0.0.1:port or mqtts://localhost:port */
  url: string;
  port: number;
  /** The broker's certificate, also its CA (self-signed), when TLS is on. */
  caFile: string | null;
  /** user:password file, when a password is required. */
  authFile: string | null;
  credentials: { username: string; password: string } | null;
  stop(): Promise<void>;
  /** Starts it again on the same port, with the messages it had persisted. */
  restart(): Promise<void>;
}

export async function startBroker(
  dir: string,
  opts: { tls?: boolean; password?: boolean } = {},
): Promise<Broker> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    // Started as root, mosquitto would switch to its own user and lose the test's private folder.
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${path.join(dir, 'data')}/`,
    'autosave_interval 1',
    'log_type error',
    'log_dest stderr',
  ];
  let caFile: string | null = null;
  if (opts.tls) {
    const { key, cert } = selfSignedCert(dir, {
      cn: 'localhost',
      days: 2,
      altNames: 'DNS:localhost,IP:127.0.0.1',
    });
    lines.push(`certfile ${cert}`, `keyfile ${key}`);
    caFile = cert;
  }
  let authFile: string | null = null;
  let credentials: Broker['credentials'] = null;
  if (opts.password) {
    credentials = { username: 'gateway', password: 'a:long:passphrase' };
    const pw = path.join(dir, 'passwd');
    const r = spawnSync('mosquitto_passwd', ['-b', '-c', pw, credentials.username, credentials.password]);
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    lines.push(`password_file ${pw}`, 'allow_anonymous false');
    authFile = path.join(dir, 'mqtt-auth');
    writeFileSync(authFile, `${credentials.username}:${credentials.password}\n`);
  } else {
    lines.push('allow_anonymous true');
  }
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let proc: ChildProcess | null = null;
  const errors: string[] = [];
  const up = async () => {
    proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    proc.stderr?.on('data', (d: Buffer) => errors.push(d.toString()));
    await waitFor(
      `mosquitto on port ${port} (${errors.join('')})`,
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        }),
      10_000,
      50,
    );
  };
  const down = async () => {
    const p = proc as ChildProcess | null;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(-(p.pid as number), 'SIGTERM');
    await exited;
  };
  await up();
  return {
    url: `${opts.tls ? 'mqtts://localhost' : 'mqtt://127.0.0.1'}:${port}`,
    port,
    caFile,
    authFile,
    credentials,
    stop: down,
    restart: async () => {
      await down();
      await up();
    },
  };
}
