// Preloaded into a server under test (NODE_OPTIONS=--import): appends each npm package the process loads, once,
// to the file named by OUTPOST_TEST_LOADED_PACKAGES (appended as they load, so a killed process leaves its list),
// each of @kubernetes/client-node's own files as `file <path in the package>` and systeminformation's as
// `systeminformation <path in the package>` (both are loaded only in part).
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.OUTPOST_TEST_LOADED_PACKAGES;
const seen = new Set<string>();

if (file) {
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url)?.[1];
      const own = /\/node_modules\/@kubernetes\/client-node\/(.+)$/.exec(resolved.url)?.[1];
      if (own && !seen.has(own)) {
        seen.add(own);
        appendFileSync(file, `file ${own}\n`);
      }
      const si = /\/node_modules\/systeminformation\/(.+)$/.exec(resolved.url)?.[1];
      if (si && !seen.has(`si ${si}`)) {
        seen.add(`si ${si}`);
        appendFileSync(file, `systeminformation ${si}\n`);
      }
      if (pkg && !seen.has(pkg)) {
        seen.add(pkg);
        appendFileSync(file, `${pkg}\n`);
      }
      return resolved;
    },
  });
}
