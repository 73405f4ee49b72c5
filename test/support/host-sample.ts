// A host reading for tests that need one but care about few of its fields: the rest are plain, unalarming values.
import type { HostSample } from '../../server/db/samples.ts';

export function hostSample(at: number, fields: Partial<HostSample> = {}): HostSample {
  return {
    at,
    cpu: 0,
    memUsed: 1,
    memTotal: 2,
    diskUsed: 1,
    diskTotal: 2,
    temp: null,
    rx: 0,
    tx: 0,
    load1: 0,
    ...fields,
  };
}
