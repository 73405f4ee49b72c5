// Writes dist/: server/ with the TypeScript types stripped, as `npm start` and the image run it. Node would strip
// them at run time too, but its stripper (a WebAssembly module) then stays loaded for good: about 10–17 MB of RSS,
// and the image has no room for that (see docs/performance.md). Same transform as Node's, so the code is the same code.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Relative `.ts` specifiers (static and dynamic imports) become `.js`; bare and node: specifiers stay. */
export function toJs(source: string): string {
  return stripTypeScriptTypes(source, { mode: 'strip' }).replace(
    /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g,
    '$1$2.js$3',
  );
}

/**
 * server/ → out/, mirrored: out/ sits beside views/, public/ and demo/ as server/ does, so the paths the code
 * derives from its own location still hold, and packages resolve from the project's node_modules.
 */
export function build(out = path.join(ROOT, 'dist'), src = path.join(ROOT, 'server')): number {
  rmSync(out, { recursive: true, force: true });
  let count = 0;
  for (const f of readdirSync(src, { recursive: true }).map(String)) {
    const from = path.join(src, f);
    if (!statSync(from).isFile()) continue;
    const to = path.join(out, f.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(to), { recursive: true });
    const text = readFileSync(from, 'utf8');
    writeFileSync(to, f.endsWith('.ts') ? toJs(text) : text);
    count++;
  }
  return count;
}

if (import.meta.main) {
  const started = performance.now();
  const n = build();
  console.log(`dist/: ${n} files in ${Math.round(performance.now() - started)} ms`);
}
