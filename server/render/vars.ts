// Where substitution variables come from: the node's own facts, a ConfigMap in the cluster, and config.
//
// Variables from node facts (all optional; a fact the node does not have gives no variable):
//   NODE_NAME           the Kubernetes node name
//   SITE_ID             the site this node belongs to (from Outpost's config)
//   NODE_ZONE           label topology.kubernetes.io/zone (or the older failure-domain.beta.kubernetes.io/zone)
//   NODE_REGION         label topology.kubernetes.io/region (or failure-domain.beta.kubernetes.io/region)
//   NODE_HOSTNAME       label kubernetes.io/hostname
//   NODE_ARCH, NODE_OS  labels kubernetes.io/arch, kubernetes.io/os
//   NODE_INSTANCE_TYPE  label node.kubernetes.io/instance-type
//   NODE_LABEL_<KEY>    every node label, its key upper-cased with each run of characters other than
//                       letters and digits turned into one `_`: topology.kubernetes.io/zone becomes
//                       NODE_LABEL_TOPOLOGY_KUBERNETES_IO_ZONE. When two keys map to the same name, the key
//                       that sorts first wins, so the result does not depend on label order.

import { setOwn } from './own.ts';

export type VarSource = Readonly<Record<string, string>> | undefined | null;

export interface NodeFacts {
  nodeName?: string;
  siteId?: string;
  nodeLabels?: Readonly<Record<string, string>>;
}

const WELL_KNOWN: [name: string, labels: string[]][] = [
  ['NODE_ZONE', ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']],
  ['NODE_REGION', ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region']],
  ['NODE_HOSTNAME', ['kubernetes.io/hostname']],
  ['NODE_ARCH', ['kubernetes.io/arch']],
  ['NODE_OS', ['kubernetes.io/os']],
  ['NODE_INSTANCE_TYPE', ['node.kubernetes.io/instance-type']],
];

/** `topology.kubernetes.io/zone` → `NODE_LABEL_TOPOLOGY_KUBERNETES_IO_ZONE`. */
export function labelVarName(key: string): string {
  const snake = key
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `NODE_LABEL_${snake}`;
}

export function nodeFactsVars(facts: NodeFacts): Record<string, string> {
  const out: Record<string, string> = {};
  const labels = facts.nodeLabels ?? {};
  for (const key of Object.keys(labels).sort().reverse()) {
    // Reverse order: the key that sorts first is written last and wins a collision.
    setOwn(out, labelVarName(key), labels[key] as string, 'node labels');
  }
  for (const [name, keys] of WELL_KNOWN) {
    const key = keys.find((k) => Object.hasOwn(labels, k));
    if (key !== undefined) setOwn(out, name, labels[key] as string);
  }
  if (facts.nodeName) out.NODE_NAME = facts.nodeName;
  if (facts.siteId) out.SITE_ID = facts.siteId;
  return out;
}

/**
 * Merges variable sources, lowest precedence first: later sources win. Pass them as
 * `mergeVars(nodeFactsVars(...), configMapData, configVars)`.
 *
 * Why this order: a variable set in Outpost's own config was written for this node on purpose, so it beats
 * everything; the ConfigMap is the site's shared setting (and what Flux's `substituteFrom` is), so it beats
 * facts; facts are the automatic baseline. This is also Flux's order: inline `substitute` overrides
 * `substituteFrom`.
 */
export function mergeVars(...sources: VarSource[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sources) if (s) for (const [k, v] of Object.entries(s)) setOwn(out, k, v, 'variables');
  return out;
}
