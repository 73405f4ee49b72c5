#!/usr/bin/env node
// `outpost` command: Node 24 runs the TypeScript CLI directly.
await import('../server/cli.ts');
