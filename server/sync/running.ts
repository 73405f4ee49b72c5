// The running revision's inventory, read from the store once per revision: an inventory never changes, and the
// live and cluster views ask for it every few seconds.
import type { ObjectRef } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { inventory } from '../db/revisions.ts';
import { lkgRevision } from './state-keys.ts';

export class RunningInventory {
  #db: Db;
  #cached: { revisionId: number | undefined; refs: ObjectRef[] } | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The same array until the running revision changes (callers may key their own caches on it). */
  refs(): ObjectRef[] {
    const revisionId = lkgRevision.get(this.#db)?.revisionId;
    if (!this.#cached || this.#cached.revisionId !== revisionId) {
      this.#cached = { revisionId, refs: revisionId === undefined ? [] : inventory(this.#db, revisionId) };
    }
    return this.#cached.refs;
  }
}
