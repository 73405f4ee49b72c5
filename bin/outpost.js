#!/usr/bin/env node
// `outpost` command: Node 24 runs the TypeScript CLI directly; the image ships only the stripped build (dist/).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Type stripping and compiling our modules is most of a read-only command's time: Node keeps both in its compile
// cache (the OS temp folder; NODE_COMPILE_CACHE moves it), so only the first run after a change pays for them.
module.enableCompileCache?.();

await import(
  existsSync(new URL('../server/cli.ts', import.meta.url)) ? '../server/cli.ts' : '../dist/cli.js'
);
