// CustomResourceDefinition health: Established, and its names accepted.

import { said } from './phrases.ts';
import { condition, type Health } from './types.ts';

export function crdHealth(obj: Record<string, unknown>): Health {
  const names = condition(obj, 'NamesAccepted');
  if (names?.status === 'False')
    return names.message
      ? { status: 'Degraded', message: names.message }
      : said('Degraded', 'namesNotAccepted');
  const established = condition(obj, 'Established');
  if (established?.status === 'True') return said('Healthy', 'established');
  return said('Progressing', 'waitingEstablished');
}
