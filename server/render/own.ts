// Reading and writing maps keyed by fleet data: own keys only, so `constructor`, `toString` or `prototype` are
// plain data, and no write can reach a prototype (even with Object.prototype frozen, where `o.toString = v`
// would throw).
import { RenderError } from './errors.ts';

/**
 * The one key refused everywhere: turned into a JavaScript object it is the prototype, and merged into another
 * it would rewrite Object.prototype of the process. `constructor` and `prototype` are ordinary data keys.
 */
export const FORBIDDEN_KEY = '__proto__';

/** The value stored under `key` in `o` itself; what `o` inherits is not data. */
export function getOwn(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Stores `value` under `key` as an own, enumerable property; `__proto__` is refused as at parse time. */
export function setOwn(o: object, key: string, value: unknown, where = 'render'): void {
  if (key === FORBIDDEN_KEY) throw new RenderError(`${where}: the key "${FORBIDDEN_KEY}" is not allowed`);
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}
