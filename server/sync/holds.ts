// Why a new revision may not be applied right now: a failed revision held after rollback, a staff hold,
// or a maintenance window that is closed. Rollbacks and re-asserting the LKG are never held back.

import type { Db } from '../db/open.ts';
import { clearState, getState, setState } from '../db/state.ts';
import { Cron } from './cron.ts';
import type { FailureReason } from './run.ts';

export interface HeldRevision {
  digest: string;
  revisionId: number | null;
  /** Short digests, for "rolled back from X to Y because …". */
  from: string;
  to: string | null;
  reason: FailureReason;
  message: string;
  at: string;
}

export interface StaffHold {
  until: string;
  reason: string;
  by: string;
  at: string;
}

export function heldRevision(db: Db): HeldRevision | null {
  return getState<HeldRevision>(db, 'held');
}

export function holdRevision(db: Db, held: HeldRevision): void {
  setState(db, 'held', held);
}

export function releaseHeld(db: Db): void {
  clearState(db, 'held');
}

export function staffHold(db: Db, now = new Date()): StaffHold | null {
  const hold = getState<StaffHold>(db, 'staff_hold');
  return hold && Date.parse(hold.until) > now.getTime() ? hold : null;
}

export function setStaffHold(db: Db, hold: StaffHold | null): void {
  if (hold) setState(db, 'staff_hold', hold);
  else clearState(db, 'staff_hold');
}

/** Windows are cron expressions naming the minutes in which new revisions may be applied; none = always. */
export function inMaintenanceWindow(windows: string[], now = new Date(), timeZone?: string): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => Cron.parse(w, timeZone)?.matches(now) ?? false);
}

/** Why a new revision must wait, or null when it may be applied now. */
export function whyWait(db: Db, windows: string[], now = new Date(), timeZone?: string): string | null {
  const hold = staffHold(db, now);
  if (hold) return `updates are on hold until ${hold.until} (${hold.reason}, set by ${hold.by})`;
  if (!inMaintenanceWindow(windows, now, timeZone))
    return `outside the maintenance window (${windows.join(' or ')})`;
  return null;
}
