// The library's HTTP layer on undici's request() instead of its fetch(): the same dispatcher (TLS, proxy, the one
// connection pool per KubeConfig), headers, body and abort signal, without WHATWG fetch around every call.
import type { HttpLibrary, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import type { Dispatcher } from 'undici';
import { request } from './undici.ts';

type HttpModule = typeof import('@kubernetes/client-node/dist/gen/http/http.js');

/**
 * Header values as fetch() sends them: without leading or trailing HTTP whitespace. A token read from a file
 * keeps the newline an editor left at its end, and request() refuses such a value where fetch() trims it.
 */
function normalized(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  return out;
}

/**
 * fetch() wraps each response in Headers, a Response and a web stream; for the thousands of small JSON answers
 * of a sync that was about half of the client's CPU per request. The body is read whole, as the library's
 * response handling reads it anyway; an API server's answers are never followed through redirects (fetch's
 * default, which client-go does not do either) and not compressed (no Accept-Encoding is sent).
 */
export function requestLibrary(http: HttpModule): HttpLibrary {
  return http.wrapHttpLibrary({
    async send(ctx: RequestContext) {
      const res = await request(ctx.getUrl(), {
        method: ctx.getHttpMethod() as Dispatcher.HttpMethod,
        headers: normalized(ctx.getHeaders()),
        body: ctx.getBody() as string | undefined,
        signal: ctx.getSignal(),
        dispatcher: ctx.getDispatcher() as Dispatcher | undefined,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const bytes = res.body.arrayBuffer().then((b) => Buffer.from(b));
      // Read by the library's response handling; a body that fails after the status arrived is its error then.
      bytes.catch(() => {});
      return new http.ResponseContext(res.statusCode, headers, new http.SelfDecodingBody(bytes));
    },
  });
}
