// The library's HTTP layer on node:http(s) instead of its fetch(): each request goes out through the request's
// "dispatcher", which kubeconfig.ts makes the library's own node:http agent for the cluster (TLS, proxy; one kept-alive
// pool per KubeConfig), with the library's headers, body and abort signal.
import type { Agent } from 'node:http';
import https from 'node:https';
import type { HttpLibrary, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { http } from '../node-http.ts';

type HttpModule = typeof import('@kubernetes/client-node/dist/gen/http/http.js');

/**
 * Header values as fetch() sends them: without leading or trailing HTTP whitespace. A token read from a file
 * keeps the newline an editor left at its end, and node:http refuses such a value where fetch() trims it.
 */
function normalized(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  return out;
}

/**
 * fetch() wraps each response in Headers, a Response and a web stream, and undici parses HTTP in WebAssembly that
 * V8 recompiles in the background after a few requests: a command that makes more than two requests then waits
 * ~0.15 s at exit for that compile, and a sync's client spends more CPU per request than with node:http (200
 * requests from a fresh process: ~230 ms of CPU with undici's request(), ~125 ms with node:http). The body is read
 * whole, as the library's response handling reads it anyway; an API server's answers are never followed through
 * redirects (client-go does not either) and not compressed (no Accept-Encoding is sent).
 */
export function requestLibrary(gen: HttpModule): HttpLibrary {
  return gen.wrapHttpLibrary({
    send(ctx: RequestContext) {
      const url = new URL(ctx.getUrl());
      const signal = ctx.getSignal();
      const options = {
        method: ctx.getHttpMethod(),
        headers: normalized(ctx.getHeaders()),
        // The cluster's kept-alive agent, which kubeconfig.ts makes the library's dispatcher.
        agent: ctx.getDispatcher() as Agent | undefined,
        ...(signal ? { signal } : {}),
      };
      return new Promise((resolve, reject) => {
        const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const body = new Promise<Buffer>((done, fail) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => done(Buffer.concat(chunks)));
            res.on('error', fail);
            res.on('close', () => {
              if (!res.complete)
                fail(new Error(`${ctx.getHttpMethod()} ${url.pathname}: the answer was cut off`));
            });
          });
          // Read by the library's response handling; a body that fails after the status arrived is its error then.
          body.catch(() => {});
          resolve(new gen.ResponseContext(res.statusCode ?? 0, headers, new gen.SelfDecodingBody(body)));
        });
        req.on('error', reject);
        req.end(ctx.getBody() as string | undefined);
      });
    },
  });
}
