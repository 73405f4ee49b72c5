// Service health: a LoadBalancer is healthy once it has an ingress address; other types once they exist.

import { said } from './phrases.ts';
import type { Health } from './types.ts';

export function serviceHealth(obj: Record<string, unknown>): Health {
  const type = (obj.spec as { type?: string } | undefined)?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { status: 'Healthy', message: type };
  const ingress = (
    obj.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined
  )?.loadBalancer?.ingress;
  const first = ingress?.[0];
  if (first) return said('Healthy', 'lbAt', { address: first.ip ?? first.hostname ?? '' });
  return said('Progressing', 'lbWaiting');
}
