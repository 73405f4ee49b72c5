// What @kubernetes/client-node takes from undici — Agent and ProxyAgent (its connection pools) and fetch — loaded
// when first used instead of with the library, and never undici's index, which also loads WebSocket, the caches and
// the mocks (~110 modules, ~70 ms). The client's own requests go through node:http (http.ts); only the library's
// watch and log streams call fetch. library.ts resolves the library's 'undici' to this module.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

/** A class whose construction builds undici's own (the library only ever constructs them). */
function onFirstUse<T>(file: string): T {
  return class {
    constructor(...args: unknown[]) {
      // biome-ignore lint/correctness/noConstructorReturn: the instance is undici's, its module loaded only now.
      return new (load(file) as new (...a: unknown[]) => object)(...args);
    }
  } as unknown as T;
}

export const Agent = onFirstUse<typeof Undici.Agent>('undici/lib/dispatcher/agent.js');
export const ProxyAgent = onFirstUse<typeof Undici.ProxyAgent>('undici/lib/dispatcher/proxy-agent.js');

/** The undici dispatcher standing in for a node:http agent when the library calls fetch, built on first use. */
const stand = new WeakMap<object, { build: () => Undici.Dispatcher; built?: Undici.Dispatcher }>();

/** Pairs a cluster's node:http agent with how to build its undici dispatcher (kubeconfig.ts). */
export function pairWithDispatcher(agent: object, build: () => Undici.Dispatcher): void {
  stand.set(agent, { build });
}

/** Closes the agent's undici dispatcher, if the library's fetch ever built it; it finishes its requests first. */
export function closePairedDispatcher(agent: object): void {
  void stand.get(agent)?.built?.close();
  stand.delete(agent);
}

/**
 * undici's fetch, from its own module rather than the index (~3 MB less of a server that watches), given the undici
 * dispatcher paired with the node:http agent the library put in `init`.
 */
export const fetch: typeof Undici.fetch = (input, init) => {
  const { fetch: undiciFetch } = load('undici/lib/web/fetch/index.js') as Pick<typeof Undici, 'fetch'>;
  const pair = init?.dispatcher ? stand.get(init.dispatcher) : undefined;
  if (!pair) return undiciFetch(input, init);
  pair.built ??= pair.build();
  return undiciFetch(input, { ...init, dispatcher: pair.built });
};
