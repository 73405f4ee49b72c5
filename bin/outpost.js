#!/usr/bin/env node
// `outpost` command: Node 24 runs the TypeScript CLI directly; the image ships only the stripped build (dist/).
import { existsSync } from 'node:fs';

await import(
  existsSync(new URL('../server/cli.ts', import.meta.url)) ? '../server/cli.ts' : '../dist/cli.js'
);
