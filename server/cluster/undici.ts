// What @kubernetes/client-node takes from undici — Agent and ProxyAgent (its connection pools) and fetch — without
// undici's index, which also loads WebSocket, the caches and the mocks: ~110 modules, ~70 ms of every CLI command.
// The library's own modules get this module for 'undici' (library.ts); fetch, which only its watch and log streams
// call (the client's own requests go through node:http, http.ts), loads the whole package on first use.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = load('undici/lib/dispatcher/agent.js');
export const ProxyAgent: typeof Undici.ProxyAgent = load('undici/lib/dispatcher/proxy-agent.js');

export const fetch: typeof Undici.fetch = (input, init) =>
  (load('undici') as typeof Undici).fetch(input, init);
