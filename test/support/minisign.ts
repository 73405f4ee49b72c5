// The real `minisign` tool for tests: key pairs without a password, signatures (prehashed or legacy), verification.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  pub: string;
  sec: string;
  /** The base64 key line, as OUTPOST_TRUSTED_KEYS takes it. */
  line: string;
  /** The key id as minisign prints it. */
  id: string;
}

function minisign(args: string[]): { status: number; output: string } {
  const r = spawnSync('minisign', args, { encoding: 'utf8', input: '' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

export function makeKeyPair(dir: string, name: string): KeyPair {
  const pub = path.join(dir, `${name}.pub`);
  const sec = path.join(dir, `${name}.key`);
  const r = minisign(['-G', '-W', '-f', '-p', pub, '-s', sec]);
  if (r.status !== 0) throw new Error(`minisign -G failed: ${r.output}`);
  const [comment, line] = readFileSync(pub, 'utf8').split('\n') as [string, string];
  // minisign 0.11 prints the id without leading zeros, 0.12 pads it to 16 digits (as Outpost does).
  return { pub, sec, line, id: (comment.split(' ').pop() as string).padStart(16, '0') };
}

/** Signs `file` into `<file>.minisig` (or `sigFile`) with minisign itself; returns the signature text. */
export function minisignSign(
  keys: KeyPair,
  file: string,
  trustedComment: string,
  opts: { legacy?: boolean; sigFile?: string } = {},
): string {
  const sigFile = opts.sigFile ?? `${file}.minisig`;
  const args = ['-S', '-s', keys.sec, '-m', file, '-x', sigFile, '-t', trustedComment];
  if (opts.legacy) args.push('-l');
  const r = minisign(args);
  if (r.status !== 0) throw new Error(`minisign -S failed: ${r.output}`);
  return readFileSync(sigFile, 'utf8');
}

/** `minisign -V`: true when minisign itself accepts the signature. */
export function minisignVerify(pub: string, file: string, sigFile = `${file}.minisig`): boolean {
  return minisign(['-V', '-p', pub, '-m', file, '-x', sigFile]).status === 0;
}
