// Gathers the substitution variables for a render: the node's facts (name, labels, site id), a ConfigMap in
// the cluster, and config — cluster reads only, so rendering works with the WAN down.
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { RenderError } from '../render/errors.ts';
import { prewarmRenderWorker, type RenderLimits, renderOffThread } from '../render/off-thread.ts';
import { mergeVars, nodeFactsVars } from '../render/vars.ts';
import type { FileTree } from '../sources/types.ts';
import { inputsDigest, type RenderInputs } from './identity.ts';

export interface VarsSettings {
  /** Values from config: highest precedence. */
  values: Record<string, string>;
  /** A ConfigMap whose data are variables (between node facts and config). */
  from?: { namespace: string; name: string; optional: boolean };
  /** Fail a render on an undefined variable instead of leaving it empty. */
  strict: boolean;
  nodeName: string;
  siteId?: string;
}

export async function gatherVars(cluster: ClusterClient, s: VarsSettings): Promise<Record<string, string>> {
  // A node name that is not a cluster node (the demo, a laptop) simply has no labels.
  const node = await cluster.get({ apiVersion: 'v1', kind: 'Node', name: s.nodeName }).catch(() => null);
  let fromMap: Record<string, string> | null = null;
  if (s.from) {
    const cm = await cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: s.from.namespace,
      name: s.from.name,
    });
    if (!cm && !s.from.optional) {
      throw new RenderError(
        `variables ConfigMap ${s.from.namespace}/${s.from.name} does not exist (set it optional to allow that)`,
      );
    }
    fromMap = (cm?.data as Record<string, string> | undefined) ?? null;
  }
  return mergeVars(
    nodeFactsVars({
      nodeName: s.nodeName,
      ...(s.siteId ? { siteId: s.siteId } : {}),
      nodeLabels: node?.metadata.labels ?? {},
    }),
    fromMap,
    s.values,
  );
}

type RenderDeps = { cluster: ClusterClient; sourcePath: string; vars?: VarsSettings; render?: RenderLimits };

/** The render inputs of this node now (variables read from the cluster), with their digest. */
export async function nodeRenderInputs(d: RenderDeps): Promise<RenderInputs & { digest: string }> {
  const inputs: RenderInputs = {
    sourcePath: d.sourcePath,
    vars: d.vars ? await gatherVars(d.cluster, d.vars) : {},
    strictVars: d.vars?.strict ?? false,
  };
  return { ...inputs, digest: inputsDigest(inputs) };
}

/** A render is coming: the worker starts now, while the run fetches and gathers its inputs. */
export function expectRender(d: RenderDeps): void {
  prewarmRenderWorker(d.render);
}

/** Renders a tree with inputs gathered before (the reconciler decides by their digest first). */
export function renderWith(d: RenderDeps, files: FileTree, inputs: RenderInputs): Promise<KubeObject[]> {
  return renderOffThread(
    files,
    inputs.sourcePath,
    { vars: inputs.vars, strictVars: inputs.strictVars },
    d.render,
  );
}

/** Renders a revision's tree with this node's variables: the one way the reconciler, diff and preview render. */
export async function renderForNode(d: RenderDeps, files: FileTree): Promise<KubeObject[]> {
  return renderWith(d, files, await nodeRenderInputs(d));
}
