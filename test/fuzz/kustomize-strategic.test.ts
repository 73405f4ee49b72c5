// Fuzzing strategic merge (server/render/kustomize/patches/strategic.ts): any target and patch, prototype keys
// and `$patch` directives included, merge or fail with a RenderError, and never reach a prototype.
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import { strategicMerge } from '../../server/render/kustomize/patches/strategic.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import { hostileObject, hostileTree, ownObject } from '../support/hostile.ts';
import { assertPlainData, ownCopy } from '../support/plain.ts';

/** A patch: mostly an object of the same shape (so lists merge by key), sometimes anything at all. */
const patch = fc.oneof(
  { weight: 3, arbitrary: hostileObject },
  { weight: 1, arbitrary: hostileTree.map((t) => ownObject([['spec', t]])) },
);

fuzz(import.meta.url, {
  'strategic merge fails only with a RenderError and leaves every prototype alone': {
    runs: 400,
    build: () => ({
      property: fc.property(hostileObject, patch, (target, p) =>
        guarded({ target, patch: p }, [RenderError], () => {
          const out = strategicMerge(ownCopy(target), ownCopy(p));
          assertPlainData(out);
        }),
      ),
    }),
  },
});
