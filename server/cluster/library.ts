// Loads @kubernetes/client-node's modules on first use, without the ~26 MB of typed API classes Outpost never calls.
//
// The library's config, object and log modules import its barrel (`gen/index.js`, via `api.js`) for a handful of
// names: the HTTP layer, createConfiguration, ApiException. That barrel also re-exports every generated typed API
// (CoreV1Api, AppsV1Api, ... ~60 groups), which costs ~26 MB of resident memory on a node with 2 GB. A resolve hook
// points those three modules' barrel import at one that re-exports the same files minus the typed API classes:
// the classes that load are the library's own, unchanged.
//
// The generated models (757 modules, ~10 MB resident) are loaded only by the library's internal ObjectSerializer,
// to turn JSON into typed classes. Outpost registers a pass-through serializer for every kind it touches
// (client.ts), so that table is never consulted: a load hook serves ObjectSerializer.js without its model imports
// and with an empty type table. Its media-type handling (parse, stringify, the preferred type) stays the library's
// code; an unknown type is returned as it came, which is what the pass-through does anyway.
//
// Three more imports are answered lighter, for start-up time (every CLI command that connects pays them): the
// library's 'undici' resolves to undici.ts (its fetch on node:http, without undici at all), node:http, which the
// library and its proxy agents import as ES modules, to a namespace without the getters that load Node's bundled
// undici, and the SOCKS proxy support to classes that load it when first used.
import { registerHooks } from 'node:module';

/** The barrel without `types/ObjectParamAPI.js` (the typed APIs) and the models: the rest of gen/index.js. */
function slimBarrel(dist: string): string {
  return `data:text/javascript,${encodeURIComponent(
    [
      `export * from '${dist}gen/http/http.js';`,
      `export * from '${dist}gen/auth/auth.js';`,
      `export { createConfiguration } from '${dist}gen/configuration.js';`,
      `export * from '${dist}gen/apis/exception.js';`,
      `export * from '${dist}gen/servers.js';`,
      `export { RequiredError } from '${dist}gen/apis/baseapi.js';`,
      `export { Observable } from '${dist}gen/rxjsStub.js';`,
    ].join('\n'),
  )}`;
}

const MODEL_IMPORT = /^(?:import \{ \w+ \}|export \*) from '\.\.\/models\/\w+\.js';\n/gm;
const TYPE_TABLE = /^let typeMap = \{\n(?: {4}"\w+": \w+,\n)*\};$/m;

/**
 * ObjectSerializer.js without its 757 model imports and re-exports, and with an empty type table. A library
 * version whose file no longer has that shape is served unchanged (heavier, still correct); the client's test
 * checks that no model module loads, so such an upgrade is noticed.
 */
export function slimSerializer(source: string): string {
  if (!TYPE_TABLE.test(source)) return source;
  return source.replace(MODEL_IMPORT, '').replace(TYPE_TABLE, 'let typeMap = {};');
}

/** node:http's exports that are getters loading Node's bundled undici (../node-http.ts says why that matters). */
const WEB_GETTERS = new Set(['WebSocket', 'CloseEvent', 'MessageEvent']);

/** node:http as an ES module, default and named exports, without the three getters (built once). */
let httpUrl: string | undefined;
function httpModule(): string {
  const names = Object.keys(process.getBuiltinModule('node:http')).filter((name) => !WEB_GETTERS.has(name));
  return `data:text/javascript,${encodeURIComponent(
    [
      "const http = process.getBuiltinModule('node:http');",
      'export default http;',
      `export const { ${names.join(', ')} } = http;`,
    ].join('\n'),
  )}`;
}

/**
 * What the library and the packages it imports get in place of modules whose ES import costs more than they use
 * of it: undici (undici.ts says why), node:http's ES namespace and the SOCKS proxy support.
 */
function lighter(specifier: string, parent: string, dist: string): string | null {
  if (specifier === 'undici' && parent.startsWith(dist)) {
    // .ts when run from source, .js in the stripped build, as this module.
    return new URL(`./undici${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url)
      .href;
  }
  if ((specifier === 'node:http' || specifier === 'http') && parent.includes('/node_modules/')) {
    httpUrl ??= httpModule();
    return httpUrl;
  }
  if (parent.startsWith(dist) && Object.hasOwn(ON_FIRST_USE, specifier)) {
    return firstUseModule(specifier, ON_FIRST_USE[specifier] as string[], parent);
  }
  return null;
}

/**
 * The SOCKS proxy agent and client the library's config module imports, ~25 modules that only a cluster behind a
 * SOCKS proxy uses: their classes load when first constructed or called (require of an ES module is synchronous).
 */
const ON_FIRST_USE: Record<string, string[]> = {
  'socks-proxy-agent': ['SocksProxyAgent'],
  socks: ['SocksClient'],
};

/** A module whose exports stand for the package's classes and load it when one is first constructed, called or read. */
function firstUseModule(specifier: string, names: string[], parent: string): string {
  const lines = [
    "import { createRequire } from 'node:module';",
    `const load = () => createRequire(${JSON.stringify(parent)})(${JSON.stringify(specifier)});`,
    'let real;',
    'const on = (name) => new Proxy(function () {}, {',
    '  construct: (_t, args) => Reflect.construct((real ??= load())[name], args),',
    '  apply: (_t, self, args) => Reflect.apply((real ??= load())[name], self, args),',
    '  get: (_t, key) => (real ??= load())[name][key],',
    '});',
    ...names.map((name) => `export const ${name} = on(${JSON.stringify(name)});`),
  ];
  return `data:text/javascript,${encodeURIComponent(lines.join('\n'))}`;
}

let hooked = false;
/**
 * Installed on first use, not when this module loads: finding the library's folder is a package lookup, and the
 * commands that read the configuration (which names kubeconfig.ts) but never connect should not pay for it.
 */
function hook(): void {
  if (hooked) return;
  hooked = true;
  const dist = new URL('./', import.meta.resolve('@kubernetes/client-node/dist/config.js')).href;
  const barrel = slimBarrel(dist);
  const serializer = `${dist}gen/models/ObjectSerializer.js`;
  /** Which library modules get the slim barrel, and the specifier they import it by. */
  const slimmed: Record<string, string> = {
    [`${dist}config.js`]: './gen/index.js',
    [`${dist}object.js`]: './api.js',
    [`${dist}log.js`]: './api.js',
  };
  registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (parent && Object.hasOwn(slimmed, parent) && slimmed[parent] === specifier) {
        return { url: barrel, format: 'module', shortCircuit: true };
      }
      const url = parent && context.conditions.includes('import') ? lighter(specifier, parent, dist) : null;
      if (url) return { url, shortCircuit: true };
      return next(specifier, context);
    },
    load(url, context, next) {
      const loaded = next(url, context);
      if (url !== serializer || loaded.source == null) return loaded;
      return { ...loaded, source: slimSerializer(String(loaded.source)) };
    },
  });
}

export function configModule() {
  hook();
  return import('@kubernetes/client-node/dist/config.js');
}

export function objectModule() {
  hook();
  return import('@kubernetes/client-node/dist/object.js');
}

export function logModule() {
  hook();
  return import('@kubernetes/client-node/dist/log.js');
}

export function serializerModule() {
  hook();
  return import('@kubernetes/client-node/dist/serializer.js');
}
