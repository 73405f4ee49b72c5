// What an apply, prune or re-assert did to one object: a closed set of actions (no-op applies are `unchanged`).
export const CHANGE_ACTIONS = ['created', 'configured', 'unchanged', 'deleted', 'skipped', 'failed'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export interface Change {
  /** The object's identity, `apiVersion Kind namespace/name`. */
  ref: string;
  action: ChangeAction;
  error?: string;
}
