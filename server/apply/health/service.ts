// Service health: a LoadBalancer is healthy once it has an ingress address; other types once they exist.
import type { Health } from './types.ts';

export function serviceHealth(obj: Record<string, unknown>): Health {
  const type = (obj.spec as { type?: string } | undefined)?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { status: 'Healthy', message: type };
  const ingress = (
    obj.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined
  )?.loadBalancer?.ingress;
  const first = ingress?.[0];
  if (first) return { status: 'Healthy', message: `load balancer at ${first.ip ?? first.hostname}` };
  return { status: 'Progressing', message: 'waiting for a load balancer address' };
}
