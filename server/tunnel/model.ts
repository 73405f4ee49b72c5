// Shapes, limits and pure helpers of the support tunnel, free of ssh2 so config and web can use them without loading it.
import type { Problem, ProblemKind } from '../problem.ts';

export const MAX_TUNNEL_MINUTES = 8 * 60;
export const DEFAULT_TUNNEL_MINUTES = 60;

export interface TunnelConfig {
  host: string;
  port: number;
  user: string;
  /** OpenSSH private key without passphrase (ed25519 or rsa), read at every connect so a rotated Secret is used. */
  keyFile: string;
  /** Pinned bastion host key(s): public key line(s) or SHA256 fingerprint(s). */
  hostKey: string;
  /** Port requested on the bastion; 0 lets the bastion choose, and status() reports the one it chose. */
  remotePort: number;
  /** Longest allowed opening, in ms (at most 8 h). */
  maxMs: number;
}

export type TunnelState = 'closed' | 'connecting' | 'open' | 'reconnecting';

/**
 * What went wrong with the link, as a code the console says in the reader's words (catalogue
 * `tunnel.problem.<code>`); the English sentence with the bastion's address and the library's words is kept beside
 * it for support and the log.
 */
export const TUNNEL_PROBLEMS = [
  'connection-refused',
  'no-such-host',
  'timeout',
  'link-failed',
  'closed',
  'forward-refused',
  'key-unreadable',
  'key-refused',
  'host-key-changed',
] as const;
export type TunnelProblemCode = (typeof TUNNEL_PROBLEMS)[number];

/** A link problem: its code, and the engineer's sentence. */
export interface TunnelProblem {
  code: TunnelProblemCode;
  text: string;
}

export interface TunnelStatus {
  state: TunnelState;
  /** ISO time the tunnel closes by itself. */
  until?: string;
  openedBy?: string;
  /** The port on the bastion's loopback that leads to the console (only while open). */
  remotePort?: number;
  /** The latest problem in English (for support and the log), kept after a refusal so the page can say why it closed. */
  lastError?: string;
  /** The same problem as a code the console says in the reader's language. */
  problem?: TunnelProblemCode;
  /** `user@host:port` of the bastion. */
  bastion: string;
}

export type TunnelAction = 'tunnel-open' | 'tunnel-close' | 'tunnel-expire' | 'tunnel-error';

export interface TunnelAuditEntry {
  actor: string;
  action: TunnelAction;
  target: string;
  result: string;
  detail: string;
}

export class TunnelError extends Error implements Problem {
  readonly kind: ProblemKind;
  constructor(message: string, kind: ProblemKind = 'invalid', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TunnelError';
    this.kind = kind;
  }
}

/** Where forwarded connections go: a console listening on every address is reached on loopback. */
export function consoleTarget(host: string, port: number): { host: string; port: number } {
  const any = host === '' || host === '0.0.0.0' || host === '::' || host === 'localhost';
  return { host: any ? '127.0.0.1' : host, port };
}
