// Injected failures for resilience tests: error statuses, dropped connections, hangs and extra latency.
import { badRequest } from './errors.ts';
import { isObject } from './util.ts';

export interface FaultSpec {
  /** Answer with this HTTP status and a matching Kubernetes Status body (e.g. 500, 409, 429, 503). */
  status?: number;
  /** Destroy the socket without answering. */
  dropConnection?: boolean;
  /** Never answer; the request stays open until the simulator closes. */
  hang?: boolean;
  /** Delay before the request is handled (alone, or before another fault). */
  latencyMs?: number;
  /** How many matching requests this fault hits; default: every one until cleared. */
  times?: number;
  /** Only requests with this HTTP method (case-insensitive). */
  method?: string;
  /** Only requests whose path (with query) contains this string. */
  pathIncludes?: string;
  /** Message for the Status body; default describes the injection. */
  message?: string;
}

export interface FaultControl {
  inject(spec: FaultSpec): string;
  clear(id?: string): void;
  active(): (FaultSpec & { id: string })[];
}

interface Armed extends FaultSpec {
  id: string;
  left: number;
}

export class Faults implements FaultControl {
  private readonly armed: Armed[] = [];
  private seq = 0;

  inject(spec: FaultSpec): string {
    const id = `fault-${++this.seq}`;
    this.armed.push({ ...spec, id, left: spec.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(id?: string): void {
    if (id === undefined) this.armed.length = 0;
    else {
      const i = this.armed.findIndex((f) => f.id === id);
      if (i >= 0) this.armed.splice(i, 1);
    }
  }

  active(): (FaultSpec & { id: string })[] {
    return this.armed.map(({ left: _left, ...f }) => f);
  }

  /** The first armed fault matching the request, consuming one of its `times`. */
  take(method: string, url: string): FaultSpec | undefined {
    const i = this.armed.findIndex(
      (f) =>
        (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
        (!f.pathIncludes || url.includes(f.pathIncludes)),
    );
    const f = this.armed[i];
    if (!f) return undefined;
    f.left--;
    if (f.left <= 0) this.armed.splice(i, 1);
    return f;
  }
}

export function parseFaultSpec(body: unknown): FaultSpec {
  if (!isObject(body)) throw badRequest('fault spec must be a JSON object');
  const spec: FaultSpec = {};
  const numField = (k: 'status' | 'latencyMs' | 'times') => {
    const v = body[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw badRequest(`${k} must be a non-negative number`);
    spec[k] = v;
  };
  numField('status');
  numField('latencyMs');
  numField('times');
  for (const k of ['dropConnection', 'hang'] as const) if (body[k] !== undefined) spec[k] = body[k] === true;
  for (const k of ['method', 'pathIncludes', 'message'] as const)
    if (typeof body[k] === 'string') spec[k] = body[k];
  if (spec.status === undefined && !spec.dropConnection && !spec.hang && spec.latencyMs === undefined) {
    throw badRequest('a fault needs one of status, dropConnection, hang, latencyMs');
  }
  return spec;
}
