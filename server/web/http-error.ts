// The one HTTP error of the console: thrown only by the web layer, and the one place a domain error's kind
// becomes a status (the error handler answers with `httpStatus(err)`).
import { type ProblemKind, problemKind } from '../problem.ts';

/**
 * A request the console answers with a status and a message for the technician (already in their language);
 * `detail` is the raw engineer text (an error's own words), shown only under "Details for support".
 */
export class HttpError extends Error {
  readonly status: number;
  readonly detail: string | null;
  constructor(status: number, message: string, options?: { cause?: unknown; detail?: string | undefined }) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
    this.detail = options?.detail ?? null;
  }
}

const STATUS: Record<ProblemKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  refused: 422,
  unavailable: 503,
  upstream: 502,
  internal: 500,
};

/** The status to answer `err` with: an HttpError's own, a domain error's kind, a body parser's 4xx, else 500. */
export function httpStatus(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const kind = problemKind(err);
  if (kind) return STATUS[kind];
  // Express's body parsers (http-errors) mark a refusal the client may see with `expose`; any other status
  // (a cluster API answer passed up, say) is not the browser's business.
  const e = err as { status?: unknown; expose?: unknown } | null | undefined;
  return e?.expose === true && typeof e.status === 'number' && e.status >= 400 && e.status < 500
    ? e.status
    : 500;
}
