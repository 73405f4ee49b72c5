// Loads @kubernetes/client-node's modules on first use, without the ~26 MB of typed API classes Outpost never calls.
//
// The library's config, object and log modules import its barrel (`gen/index.js`, via `api.js`) for a handful of
// names: the HTTP layer, createConfiguration, ApiException. That barrel also re-exports every generated typed API
// (CoreV1Api, AppsV1Api, ... ~60 groups), which costs ~26 MB of resident memory on a node with 2 GB. A resolve hook
// points those three modules' barrel import at one that re-exports the same files minus the typed API classes:
// the classes that load are the library's own, unchanged. The models stay (the library's serializer needs them).
import { registerHooks } from 'node:module';

const DIST = new URL('./', import.meta.resolve('@kubernetes/client-node/dist/config.js')).href;

/** The barrel without `types/ObjectParamAPI.js` (the typed APIs): every other re-export of gen/index.js. */
const SLIM_BARREL = `data:text/javascript,${encodeURIComponent(
  [
    `export * from '${DIST}gen/http/http.js';`,
    `export * from '${DIST}gen/auth/auth.js';`,
    `export * from '${DIST}gen/models/all.js';`,
    `export { createConfiguration } from '${DIST}gen/configuration.js';`,
    `export * from '${DIST}gen/apis/exception.js';`,
    `export * from '${DIST}gen/servers.js';`,
    `export { RequiredError } from '${DIST}gen/apis/baseapi.js';`,
    `export { Observable } from '${DIST}gen/rxjsStub.js';`,
  ].join('\n'),
)}`;

/** Which library modules get the slim barrel, and the specifier they import it by. */
const SLIMMED: Record<string, string> = {
  [`${DIST}config.js`]: './gen/index.js',
  [`${DIST}object.js`]: './api.js',
  [`${DIST}log.js`]: './api.js',
};

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (parent && Object.hasOwn(SLIMMED, parent) && SLIMMED[parent] === specifier) {
        return { url: SLIM_BARREL, format: 'module', shortCircuit: true };
      }
      return next(specifier, context);
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
