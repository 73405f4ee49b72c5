// Regular expressions from fleet content (patch targets, image names, `${VAR#glob}`): RE2 syntax and linear
// time, as kustomize's and Flux's Go regexp, so no pattern can backtrack for minutes on the render thread.
import { createRequire } from 'node:module';
import { RenderError } from './errors.ts';

type Re2js = typeof import('re2js');

/** re2js (~260 KB of source), loaded by the first pattern: most renders compile none. */
let library: Re2js | undefined;

export interface Pattern {
  test(s: string): boolean;
}

function re2js(): Re2js {
  library ??= createRequire(import.meta.url)('re2js') as Re2js;
  return library;
}

/**
 * Compiles `source` as RE2 (`dotAll`: `.` matches a newline too). Syntax RE2 does not have (backreferences,
 * lookaround) or repeats it refuses (`{1001}`) fail as a RenderError that names `what`.
 */
export function re2(source: string, what: string, opts: { dotAll?: boolean } = {}): Pattern {
  const { RE2JS, RE2JSException } = re2js();
  try {
    return RE2JS.compile(source, opts.dotAll ? RE2JS.DOTALL : 0);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new RenderError(
      `${what} is not a valid regular expression (RE2 syntax, as kustomize): ${err.message}`,
      {
        cause: err,
      },
    );
  }
}

/** `text` as an RE2 pattern that matches exactly it. */
export function quoteRe2(text: string): string {
  return re2js().RE2JS.quote(text);
}
