// CustomResourceDefinition health: Established, and its names accepted.
import { condition, type Health } from './types.ts';

export function crdHealth(obj: Record<string, unknown>): Health {
  const names = condition(obj, 'NamesAccepted');
  if (names?.status === 'False')
    return { status: 'Degraded', message: names.message ?? 'names not accepted' };
  const established = condition(obj, 'Established');
  if (established?.status === 'True') return { status: 'Healthy', message: 'established' };
  return { status: 'Progressing', message: 'waiting to be established' };
}
