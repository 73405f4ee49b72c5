// The most objects one render may produce, whatever the path (plain folder, kustomization, `kind: List`).
import { RenderError } from './errors.ts';

export const MAX_OBJECTS = 10_000;

/** Throws once `count` objects are over the cap; called as objects are produced, so a render stops early. */
export function checkObjectCount(count: number, where: string): void {
  if (count > MAX_OBJECTS) throw new RenderError(`${where || '.'}: more than ${MAX_OBJECTS} objects`);
}
