// What kind of refusal a domain error is. Domain modules say what went wrong; the web layer alone turns a kind
// into an HTTP status (web/http-error.ts), so no module below web knows HTTP.

export type ProblemKind =
  | 'invalid' // the request or form does not make sense (a short password, a bad time)
  | 'forbidden' // not allowed here (a namespace Outpost does not manage)
  | 'not-found' // the thing named does not exist
  | 'conflict' // it clashes with what exists (a taken name, the last admin)
  | 'refused' // well-formed but refused on its content (an upload that does not verify)
  | 'unavailable' // the node cannot do it now (the data volume is full)
  | 'upstream' // a part we depend on failed (the cluster API)
  | 'internal'; // our own fault or configuration

/** A domain error that says what kind of refusal it is. */
export interface Problem {
  readonly kind: ProblemKind;
}

/** The kind of `err` when it says one. */
export function problemKind(err: unknown): ProblemKind | undefined {
  const kind = (err as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? (kind as ProblemKind) : undefined;
}

const KINDS: Record<ProblemKind, true> = {
  invalid: true,
  forbidden: true,
  'not-found': true,
  conflict: true,
  refused: true,
  unavailable: true,
  upstream: true,
  internal: true,
};

/** Every kind, for whoever says each one (the console's catalogue). */
export const PROBLEM_KINDS = Object.keys(KINDS) as ProblemKind[];
