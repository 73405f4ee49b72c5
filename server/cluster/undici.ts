// What @kubernetes/client-node imports from undici, answered without undici (library.ts resolves the library's
// 'undici' here). Every request the library makes carries the cluster's node:http agent as its dispatcher
// (kubeconfig.ts), so its fetch — watch and pod log streams — goes out through that agent too (http.ts), and the
// undici connection pools it imports are never built: kubeconfig.ts builds the agent in their place.
import type { Agent as NodeAgent } from 'node:http';
import { fetchOnAgent } from './http.ts';

/** undici's Agent and ProxyAgent: only the library's createDispatcher builds them, and kubeconfig.ts replaces it. */
class UnusedPool {
  constructor() {
    throw new Error(
      'undici connection pools are not used: kubeconfig.ts gives every request a node:http agent',
    );
  }
}

export const Agent = UnusedPool;
export const ProxyAgent = UnusedPool;

export function fetch(
  input: string | URL,
  init?: {
    method?: string;
    headers?: Record<string, string>;
    dispatcher?: unknown;
    signal?: AbortSignal | null;
  },
) {
  if (!init?.dispatcher)
    throw new TypeError(`fetch ${input}: no agent (kubeconfig.ts gives every request one)`);
  return fetchOnAgent(input, { ...init, dispatcher: init.dispatcher as NodeAgent });
}
