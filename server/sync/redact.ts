// What never leaves the node readable — on pages, in `outpost` output, in the support bundle: Secret values,
// container env values and configured values. Every view of a diff or the configuration goes through here.
//
// Env values: after rendering, where a literal `value:` came from (the manifest, a `${VAR}`, a kustomize
// replacement copied out of a Secret) can no longer be told, and env is where credentials are usually put.
// So every env `value` is hidden, only its name and that it changed are shown; `valueFrom` references are
// names, not values, and stay visible. See docs/security.md.
import type { KubeObject } from '../cluster/types.ts';

/** What is shown instead of a hidden value (inside JSON too). */
export const HIDDEN = '(hidden)';
/** What the support bundle's configuration shows instead of a value. */
export const REDACTED = '[redacted]';

/** The part of a diff's change that `reveal` reads and writes. */
interface ValueChange {
  before?: unknown;
  after?: unknown;
  hidden?: true;
}

/** Stand-ins look like this until `reveal` turns them into HIDDEN; no manifest string contains a NUL. */
const TOKEN = '\u0000outpost-hidden:';
const SECRET_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

type Json = unknown;
const isMap = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Hides values for one diff: `object` gives a copy of an object with every sensitive value replaced by a
 * stand-in that is equal exactly when the values are equal (so a diff still sees what changed), and `reveal`
 * turns the stand-ins in a diff's changes into HIDDEN. Stand-ins are numbered per diff: nothing about a
 * value, not even a hash of it, reaches the output.
 */
export function diffHider(): {
  object(o: KubeObject): KubeObject;
  reveal<C extends ValueChange>(changes: C[]): C[];
} {
  const ids = new Map<string, number>();
  const stand = (v: Json): string => {
    const key = typeof v === 'string' ? `s${v}` : `j${JSON.stringify(v)}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return `${TOKEN}${id}`;
  };
  return {
    object: (o) => hideIn(o, stand),
    reveal: (changes) =>
      changes.map((c) => {
        if (!holdsToken(c.before) && !holdsToken(c.after)) return c;
        const out = { ...c, hidden: true as const };
        if (c.before !== undefined) out.before = unToken(c.before);
        if (c.after !== undefined) out.after = unToken(c.after);
        return out;
      }),
  };
}

/** A copy of `o` with Secret data and container env values hidden (HIDDEN itself, when no diff is made). */
export function hideValues(o: KubeObject): KubeObject {
  return hideIn(o, () => HIDDEN);
}

function hideIn(o: KubeObject, stand: (v: Json) => string): KubeObject {
  const copy = hideEnv(o, stand, false) as KubeObject;
  if (o.kind !== 'Secret') return copy;
  const c = copy as unknown as Record<string, Json>;
  for (const field of ['data', 'stringData', 'binaryData']) {
    const v = c[field];
    if (v === undefined) continue;
    c[field] = isMap(v) ? mapValues(v, stand) : stand(v);
  }
  const annotations = copy.metadata?.annotations as Record<string, Json> | undefined;
  if (isMap(annotations)) {
    const own = mapValues(annotations, (v) => v);
    for (const a of SECRET_ANNOTATIONS) if (Object.hasOwn(own, a)) own[a] = stand(own[a]);
    copy.metadata = { ...copy.metadata, annotations: own as Record<string, string> };
  }
  return copy;
}

/** Own keys only, defined as data (fromEntries): keys named __proto__ or constructor stay plain data. */
function mapValues(m: Record<string, Json>, f: (v: Json) => Json): Record<string, Json> {
  return Object.fromEntries(Object.keys(m).map((k) => [k, f(m[k])]));
}

/** Walks a value; inside a container (an item of containers/initContainers/ephemeralContainers) env values hide. */
function hideEnv(v: Json, stand: (v: Json) => string, inContainer: boolean): Json {
  if (Array.isArray(v)) return v.map((x) => hideEnv(x, stand, inContainer));
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v).map((k) => {
      const x = v[k];
      if (inContainer && k === 'env' && Array.isArray(x)) return [k, x.map((e) => hideEnvVar(e, stand))];
      if (CONTAINER_LISTS.has(k) && Array.isArray(x)) return [k, x.map((c) => hideEnv(c, stand, true))];
      return [k, hideEnv(x, stand, false)];
    }),
  );
}

function hideEnvVar(e: Json, stand: (v: Json) => string): Json {
  if (!isMap(e)) return stand(e);
  const out = mapValues(e, (x) => x);
  if (Object.hasOwn(out, 'value')) out.value = stand(out.value);
  return out;
}

function holdsToken(v: Json): boolean {
  if (typeof v === 'string') return v.startsWith(TOKEN);
  if (Array.isArray(v)) return v.some(holdsToken);
  if (isMap(v)) return Object.keys(v).some((k) => holdsToken(v[k]));
  return false;
}

function unToken(v: Json): Json {
  if (typeof v === 'string') return v.startsWith(TOKEN) ? HIDDEN : v;
  if (Array.isArray(v)) return v.map(unToken);
  if (isMap(v)) return mapValues(v, unToken);
  return v;
}

const SECRET_KEY = /pass(word)?|secret|token|credential|private|cookie|session|^auth$|apikey|api_key/i;

/**
 * The configuration (or anything else) for the support bundle: values of secret-looking keys, credentials in
 * URLs, token query parameters and every `${VAR}` value (a variable's name says nothing about its content).
 */
export function redact(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return REDACTED;
  if (typeof value === 'string') {
    return value
      .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1[redacted]@')
      .replace(/([?&](?:token|access_token|password|sig|signature)=)[^&\s]+/gi, '$1[redacted]');
  }
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'vars' && isMap(v) ? redactVars(v) : redact(v, k)]),
    );
  }
  return value;
}

/** The `${VAR}` settings: every value in `values` hidden, names and the rest (ConfigMap reference) kept. */
function redactVars(vars: Record<string, Json>): Json {
  const out = redact(vars) as Record<string, Json>;
  const values = vars.values;
  if (isMap(values)) out.values = mapValues(values, () => REDACTED);
  return out;
}
