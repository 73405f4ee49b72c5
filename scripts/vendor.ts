// Copies htmx from node_modules into public/vendor: the console never loads anything from a CDN.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const htmxDir = path.dirname(createRequire(import.meta.url).resolve('htmx.org/package.json'));
const out = path.join(root, 'public', 'vendor');
mkdirSync(out, { recursive: true });
for (const f of ['dist/htmx.min.js', 'dist/ext/hx-csp.min.js', 'dist/ext/hx-sse.min.js']) {
  copyFileSync(path.join(htmxDir, f), path.join(out, path.basename(f)));
}
