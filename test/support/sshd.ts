// Debian's OpenSSH sshd on loopback with its own config and keys, standing in for the support bastion.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from './process.ts';

export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  dir: string;
  /** The bastion's host key as a public key line ("ssh-ed25519 AAAA... comment"). */
  hostKeyLine: string;
  /** Its `SHA256:` fingerprint. */
  hostKeyFingerprint: string;
  /** Another host key line: pinning it must be refused. */
  wrongHostKeyLine: string;
  /** Private key the bastion accepts for the current user. */
  clientKeyFile: string;
  /** Private key the bastion does not know. */
  strangerKeyFile: string;
  logs: string[];
  /** Stops sshd and every session it forked (a link drop), keeping its keys and port. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** kill() and remove the directory. */
  close(): Promise<void>;
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', path.basename(file), '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** Every process below `root`: sshd gives each connection its own session (setsid), out of our process group. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; the command (field 2) may contain spaces, so parse after its closing paren.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

export async function startSshd(): Promise<Sshd> {
  if (!existsExecutable(SSHD)) {
    throw new Error(`${SSHD} is missing: apt-get install -y openssh-server (.ci/run installs it)`);
  }
  // Privilege separation needs this directory; a container has no boot step that creates it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync('/tmp/outpost-sshd-');
  const hostKeyLine = keygen(path.join(dir, 'host_ed25519'));
  const wrongHostKeyLine = keygen(path.join(dir, 'other_host_ed25519'));
  const clientPub = keygen(path.join(dir, 'client_ed25519'));
  keygen(path.join(dir, 'stranger_ed25519'));
  writeFileSync(path.join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o600 });
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'host_ed25519.pub')])
    .toString()
    .split(' ')[1] as string;
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AllowTcpForwarding yes',
      'GatewayPorts no',
      'StrictModes no',
      `AllowUsers ${userInfo().username}`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  let proc: ChildProcess | null = null;

  const start = async () => {
    const child = spawn(SSHD, ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    proc = child;
    // Only this run's output counts: after a restart the log already holds the previous "Server listening".
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${output}`)), 10_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        logs.push(chunk.toString());
        output += chunk.toString();
        if (/Server listening on 127\.0\.0\.1 port/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}:\n${output}`));
      });
    });
  };

  const kill = async () => {
    const child = proc;
    proc = null;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    for (const pid of [...descendants(child.pid), child.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };

  await start();
  return {
    port,
    dir,
    hostKeyLine,
    hostKeyFingerprint: fp,
    wrongHostKeyLine,
    clientKeyFile: path.join(dir, 'client_ed25519'),
    strangerKeyFile: path.join(dir, 'stranger_ed25519'),
    logs,
    kill,
    start,
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function existsExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
