// Why a new revision may not be applied right now: a failed revision held after rollback, a staff hold,
// or a maintenance window that is closed. Rollbacks and re-asserting the LKG are never held back.

import type { Db } from '../db/open.ts';
import { Cron } from './cron.ts';
import { runMessage } from './run-message.ts';
import { type HeldRevision, heldCell, type StaffHold, staffHoldCell } from './state-keys.ts';

export function heldRevision(db: Db): HeldRevision | null {
  return heldCell.get(db);
}

export function holdRevision(db: Db, held: HeldRevision): void {
  heldCell.set(db, held);
}

export function releaseHeld(db: Db): void {
  heldCell.clear(db);
}

export function staffHold(db: Db, now = new Date()): StaffHold | null {
  const hold = staffHoldCell.get(db);
  return hold && Date.parse(hold.until) > now.getTime() ? hold : null;
}

export function setStaffHold(db: Db, hold: StaffHold | null): void {
  if (hold) staffHoldCell.set(db, hold);
  else staffHoldCell.clear(db);
}

/** Windows are cron expressions naming the minutes in which new revisions may be applied; none = always. */
export function inMaintenanceWindow(windows: string[], now = new Date(), timeZone?: string): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => Cron.parse(w, timeZone)?.matches(now) ?? false);
}

/** Why a new revision must wait, or null when it may be applied now. */
export function whyWait(db: Db, windows: string[], now = new Date(), timeZone?: string): string | null {
  const hold = staffHold(db, now);
  if (hold) return runMessage('staff-hold', { at: hold.until, reason: hold.reason, by: hold.by });
  if (!inMaintenanceWindow(windows, now, timeZone))
    return runMessage('window', { windows: windows.join(' or ') });
  return null;
}
