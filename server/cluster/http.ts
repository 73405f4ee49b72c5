// The library's HTTP layer on node:http(s) instead of its fetch(): each request goes out through the request's
// "dispatcher", which kubeconfig.ts makes the library's own node:http agent for the cluster (TLS, proxy; one kept-alive
// pool per KubeConfig), with the library's headers, body and abort signal.
import type { Agent, IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
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

/** The longest body read whole (an error's status and message); the rest is dropped. */
const WHOLE_BODY_BYTES = 64 * 1024;

/** What the library's Watch and Log read of a fetch() Response: status, headers, the body as a web stream, json(). */
export class AgentResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names, as node:http gives them; entries() is what the library reads. */
  readonly headers: Map<string, string>;
  readonly #res: IncomingMessage;
  /** An error answer's body, read at once: nobody may read it, and its connection must go back to the pool. */
  readonly #errorBody: Promise<string> | null;

  constructor(res: IncomingMessage) {
    this.#res = res;
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.headers = new Map();
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) this.headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    this.#errorBody = this.ok ? null : readBounded(res);
    this.#errorBody?.catch(() => {});
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** A success's body as it streams in (a watch's events, a followed log); an error's as read. */
  get body(): ReadableStream {
    const error = this.#errorBody;
    const source = error
      ? Readable.from(
          (async function* () {
            yield await error;
          })(),
        )
      : this.#res;
    return Readable.toWeb(source) as ReadableStream;
  }

  /** The library reads a body whole only for an error; any other is cut at the same bound. */
  text(): Promise<string> {
    return this.#errorBody ?? readBounded(this.#res);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

function readBounded(res: IncomingMessage): Promise<string> {
  const limit = WHOLE_BODY_BYTES;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8')));
    res.on('error', reject);
  });
}

/**
 * The library's fetch() for its watches and pod logs, on the same node:http agent as every other request (its
 * `dispatcher`): undici's fetch would bring its own connection pool and its WebAssembly HTTP parser, which V8
 * compiles twice (~20 MB of a watching server's idle RSS, the optimizing compiler's code paged in included).
 */
export function fetchOnAgent(
  input: string | URL,
  init: { method?: string; headers?: Record<string, string>; dispatcher: Agent; signal?: AbortSignal | null },
): Promise<AgentResponse> {
  const url = new URL(input);
  const { signal } = init;
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: init.method ?? 'GET',
        headers: normalized(init.headers ?? {}),
        agent: init.dispatcher,
        ...(signal ? { signal } : {}),
      },
      (res) => resolve(new AgentResponse(res)),
    );
    req.on('error', reject);
    req.end();
  });
}
