// Staff actions on workloads from the console: rollout restart (audited), bounded pod log reads and follows.

import type { Readable } from 'node:stream';
import { auditDetail } from '../audit-detail.ts';
import { ClusterError } from '../cluster/client.ts';
import { WORKLOAD_KINDS, type WorkloadKind, workloadApiVersion } from '../cluster/reads.ts';
import type { ClusterClient } from '../cluster/types.ts';
import { appendAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import type { Problem, ProblemKind } from '../problem.ts';
import type { ClusterView } from './cluster-view.ts';

/** A request the console cannot carry out, with the kind of refusal that says why. */
export class WorkloadError extends Error implements Problem {
  readonly kind: ProblemKind;
  constructor(message: string, kind: ProblemKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkloadError';
    this.kind = kind;
  }
}

export const RESTART_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** Its own field manager: Outpost's next apply neither owns nor removes the restart annotation. */
export const RESTART_MANAGER = 'outpost-console';
export const MAX_TAIL_LINES = 1_000;
export const MAX_LOG_BYTES = 512 * 1024;

export interface LogRead {
  text: string;
  /** Cut at MAX_LOG_BYTES. */
  truncated: boolean;
}

export interface WorkloadActions {
  restart(kind: string, namespace: string, name: string, actor: string, source?: string): Promise<string>;
  logs(namespace: string, pod: string, opts: { container?: string; tailLines?: number }): Promise<LogRead>;
  /**
   * The lines a container writes from now on, as the API streams them (`follow`), cut at MAX_LOG_BYTES by the API
   * server. The caller bounds how long it reads and must destroy the stream when its reader goes.
   */
  follow(namespace: string, pod: string, opts: { container?: string }): Promise<Readable>;
}

export function isWorkloadKind(k: string): k is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(k);
}

/** How long a restart waits for the view to show it, so the page it lands on does not say "never". */
const SHOW_RESTART_MS = 3_000;

/**
 * Waits (bounded) until the view shows the restart: the watches bring it within milliseconds, a view still on
 * periodic lists is refreshed. The restart has happened either way; a slow view only means an older page.
 */
async function shownRestart(
  view: ClusterView,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  at: string,
) {
  const deadline = Date.now() + SHOW_RESTART_MS;
  void view.refresh();
  while (view.workload(kind, namespace, name)?.restartedAt !== at && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function createWorkloadActions(db: Db, cluster: ClusterClient, view: ClusterView): WorkloadActions {
  const inScope = (namespace: string) => view.snapshot().namespaces.includes(namespace);
  return {
    /** `kubectl rollout restart`: a new pod-template annotation makes the controller replace every pod. */
    async restart(kind, namespace, name, actor, source) {
      if (!isWorkloadKind(kind)) throw new WorkloadError(`${kind} cannot be restarted`, 'invalid');
      if (!inScope(namespace))
        throw new WorkloadError(`namespace ${namespace} is not managed by Outpost`, 'forbidden');
      const at = new Date().toISOString();
      const target = `${workloadApiVersion(kind)} ${kind} ${namespace}/${name}`;
      try {
        const live = await cluster.get({ apiVersion: workloadApiVersion(kind), kind, namespace, name });
        if (!live) throw new WorkloadError(`${target} does not exist`, 'not-found');
        await cluster.apply(
          {
            apiVersion: workloadApiVersion(kind),
            kind,
            metadata: { name, namespace },
            spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: at } } } },
          },
          { fieldManager: RESTART_MANAGER, force: true },
        );
      } catch (err) {
        appendAudit(db, {
          actor,
          source,
          action: 'restart',
          target,
          result: 'failed',
          detail: auditDetail('restart-failed', { error: (err as Error).message }),
        });
        if (err instanceof WorkloadError) throw err;
        throw new WorkloadError(`could not restart ${target}: ${(err as Error).message}`, 'upstream', {
          cause: err,
        });
      }
      appendAudit(db, {
        actor,
        source,
        action: 'restart',
        target,
        result: 'ok',
        detail: auditDetail('restarted-at', { at }),
      });
      await shownRestart(view, kind, namespace, name, at);
      return at;
    },

    async follow(namespace, pod, opts) {
      if (!inScope(namespace))
        throw new WorkloadError(`namespace ${namespace} is not managed by Outpost`, 'forbidden');
      const known = view.snapshot().pods.find((p) => p.namespace === namespace && p.name === pod);
      const container = opts.container || known?.containers[0];
      try {
        return await cluster.logs(
          { namespace, name: pod },
          { follow: true, tailLines: 0, limitBytes: MAX_LOG_BYTES, ...(container ? { container } : {}) },
        );
      } catch (err) {
        const kind =
          err instanceof ClusterError && err.status >= 400 && err.status < 500 ? 'invalid' : 'upstream';
        // The ClusterError names the pod already; a 4xx (a container waiting to start, or not in the pod) is the
        // request's fault, anything else the cluster's.
        throw new WorkloadError((err as Error).message, kind, { cause: err });
      }
    },

    async logs(namespace, pod, opts) {
      if (!inScope(namespace))
        throw new WorkloadError(`namespace ${namespace} is not managed by Outpost`, 'forbidden');
      const tailLines = Math.min(Math.max(1, Math.floor(opts.tailLines ?? 200)), MAX_TAIL_LINES);
      let stream: Awaited<ReturnType<ClusterClient['logs']>>;
      try {
        stream = await cluster.logs(
          { namespace, name: pod },
          { tailLines, limitBytes: MAX_LOG_BYTES, ...(opts.container ? { container: opts.container } : {}) },
        );
      } catch (err) {
        const kind =
          err instanceof ClusterError && err.status >= 400 && err.status < 500 ? 'invalid' : 'upstream';
        throw new WorkloadError((err as Error).message, kind, { cause: err });
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        if (bytes + buf.length > MAX_LOG_BYTES) {
          chunks.push(buf.subarray(0, MAX_LOG_BYTES - bytes));
          truncated = true;
          stream.destroy();
          break;
        }
        chunks.push(buf);
        bytes += buf.length;
      }
      return { text: Buffer.concat(chunks).toString('utf8'), truncated };
    },
  };
}
