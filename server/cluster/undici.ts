// The parts of undici the cluster client runs — Agent and ProxyAgent (the library's connection pools) and request()
// — without undici's index, which also loads fetch, WebSocket, the caches and the mocks: ~110 modules, ~70 ms of
// every CLI command. The library's own modules get this module for 'undici' (library.ts); their fetch, which only
// the log stream and the library's own watch call, loads the whole package on first use.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

export const Agent: typeof Undici.Agent = load('undici/lib/dispatcher/agent.js');
export const ProxyAgent: typeof Undici.ProxyAgent = load('undici/lib/dispatcher/proxy-agent.js');

/** undici's request(), as its index binds it to a dispatcher (the global one when none is given). */
const requestOn: (
  this: Undici.Dispatcher,
  opts: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData> = load('undici/lib/api/api-request.js');
const { getGlobalDispatcher }: Pick<typeof Undici, 'getGlobalDispatcher'> = load('undici/lib/global.js');

export function request(
  url: string,
  opts: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher?: Undici.Dispatcher },
): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = opts;
  const u = new URL(url);
  return requestOn.call(dispatcher ?? getGlobalDispatcher(), {
    ...rest,
    origin: u.origin,
    path: `${u.pathname}${u.search}`,
  });
}

export const fetch: typeof Undici.fetch = (input, init) =>
  (load('undici') as typeof Undici).fetch(input, init);
