// Runs the simulated controllers level-triggered: any relevant change (or a due timer) schedules one full pass.
import type { Engine } from '../engine.ts';
import { type ControllerOptions, Ctx, Timers } from './context.ts';
import { onCrdChange } from './crds.ts';
import { deploymentStatuses, reconcileDeployments, reconcileReplicaSets } from './deployments.ts';
import { reconcilePods } from './kubelet.ts';
import { reconcileJobs, reconcileNamespaces, reconcilePvcs, reconcileServices } from './misc.ts';
import { reconcileDaemonSets, reconcileStatefulSets } from './sets.ts';

/**
 * Writes closer together than this are one burst: a pass waits for such a gap, or for its spacing under a burst,
 * whichever comes first — real controllers act within milliseconds of the last write, not a pass's cost later.
 */
const QUIET_MS = 3;

/** Changes to these never need a controller pass (and events are written by the controllers themselves). */
const IGNORED = new Set(['/events', '/configmaps', '/secrets', 'coordination.k8s.io/leases', '/endpoints']);

export type { ControllerOptions };

export class Controllers {
  private readonly ctx: Ctx;
  private readonly timers = new Timers();
  private scheduled = false;
  /** Which scheduled pass is current: the first of its two timers to fire runs it, the other finds it gone. */
  private due = 0;
  private kicks = 0;
  private running = false;
  private again = false;
  private lastPassMs = 0;
  private readonly unsubscribe: () => void;

  constructor(engine: Engine, opts: ControllerOptions) {
    this.ctx = new Ctx(engine, opts, this.timers, () => this.kick());
    engine.onCrdChange = (crd, deleted) => onCrdChange(this.ctx, crd, deleted);
    this.unsubscribe = engine.store.subscribe((e) => {
      this.ctx.invalidate(e.resource);
      if (!IGNORED.has(e.resource)) this.kick();
    });
  }

  get context(): Ctx {
    return this.ctx;
  }

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timers.isClosed) return;
    const kick = ++this.kicks;
    this.timers.after(QUIET_MS, () => {
      if (kick === this.kicks) this.runDue();
    });
    if (this.scheduled) return;
    this.scheduled = true;
    const due = ++this.due;
    // Under a burst of writes, passes space out in proportion to their cost, so they never hog the loop.
    this.timers.after(Math.min(500, Math.max(1, this.lastPassMs * 2)), () => {
      if (due === this.due) this.runDue();
    });
  }

  private runDue(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    this.due++;
    this.pass();
  }

  /** One pass over every controller; passes repeat (bounded) while they keep changing things. */
  pass(): void {
    const t0 = performance.now();
    this.running = true;
    try {
      for (let i = 0; i < 10; i++) {
        this.again = false;
        const c = this.ctx;
        reconcileNamespaces(c);
        reconcileDeployments(c);
        reconcileReplicaSets(c);
        reconcileStatefulSets(c);
        reconcileDaemonSets(c);
        reconcileJobs(c);
        reconcilePods(c);
        reconcileReplicaSets(c);
        deploymentStatuses(c);
        reconcileStatefulSets(c);
        reconcileDaemonSets(c);
        reconcileJobs(c);
        reconcilePvcs(c);
        reconcileServices(c);
        if (!this.again) break;
      }
    } finally {
      this.running = false;
      this.lastPassMs = performance.now() - t0;
    }
    if (this.again) this.kick();
  }

  close(): void {
    this.unsubscribe();
    this.timers.close();
  }
}
