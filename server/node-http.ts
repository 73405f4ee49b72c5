// node:http for this project's ES modules, taken without an ES import of it.
//
// An `import ... from 'node:http'` makes Node build the module's namespace by reading every export, and three of
// them (WebSocket, CloseEvent, MessageEvent) are getters that load Node's bundled undici: ~50 ms of every start and
// every CLI command that talks HTTP, and ~3 MB of heap for code nothing here runs. Import `http` from here instead
// (`import type` from node:http costs nothing); cluster/library.ts does the same for the Kubernetes library.
export const http: typeof import('node:http') = process.getBuiltinModule('node:http');
