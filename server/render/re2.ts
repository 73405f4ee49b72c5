// Regular expressions from fleet content (patch targets, image names, `${VAR#glob}`): RE2 syntax and linear
// time, as kustomize's and Flux's Go regexp, so no pattern can backtrack for minutes on the render thread.
import { RE2JS, RE2JSException } from 're2js';
import { RenderError } from './errors.ts';

export interface Pattern {
  test(s: string): boolean;
}

/**
 * Compiles `source` as RE2 (RE2JS.DOTALL and the like in `flags`). Syntax RE2 does not have (backreferences,
 * lookaround) or repeats it refuses (`{1001}`) fail as a RenderError that names `what`.
 */
export function re2(source: string, what: string, flags = 0): Pattern {
  try {
    return RE2JS.compile(source, flags);
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
