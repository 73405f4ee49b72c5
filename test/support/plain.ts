// Checks for the fuzz tier: a value is plain data (own keys, standard prototypes) and copies that keep own keys.
import assert from 'node:assert/strict';

/** Every map and list in `v` keeps a standard prototype (or none): no data key became a prototype. */
export function assertPlainData(v: unknown, at = '$', seen = new Set<object>()): void {
  if (v === null || typeof v !== 'object') return;
  if (seen.has(v)) return;
  seen.add(v);
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    assert.equal(proto, Array.prototype, `${at}: a list's prototype was replaced`);
    v.forEach((x, i) => {
      assertPlainData(x, `${at}[${i}]`, seen);
    });
    return;
  }
  assert.ok(proto === Object.prototype || proto === null, `${at}: a map's prototype was replaced by data`);
  for (const k of Object.keys(v)) assertPlainData((v as Record<string, unknown>)[k], `${at}.${k}`, seen);
}

/** A deep copy that keeps every own key as an own key (`__proto__` included), for inputs code may mutate. */
export function ownCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(ownCopy) as T;
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    Object.defineProperty(o, k, {
      value: ownCopy((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return o as T;
}
