// What identifies a revision: the fetched tree and the render inputs together. Two runs apply the same content
// exactly when both digests match; a variable changed under an unchanged tree is new content, not drift.
import { createHash } from 'node:crypto';

/** Everything besides the tree that decides what a render yields. */
export interface RenderInputs {
  sourcePath: string;
  vars: Record<string, string>;
  strictVars: boolean;
}

/** sha256 over the render inputs, independent of the order the variables were gathered in. */
export function inputsDigest(inputs: RenderInputs): string {
  const vars = Object.keys(inputs.vars)
    .sort()
    .map((k) => [k, inputs.vars[k]]);
  const canonical = JSON.stringify({ path: inputs.sourcePath, strict: inputs.strictVars, vars });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** The revision's identity: the digest of the tree digest and the inputs digest. */
export function revisionIdentity(sourceDigest: string, inputs: string): string {
  return `sha256:${createHash('sha256').update(`${sourceDigest}\0${inputs}`).digest('hex')}`;
}
