// `outpost fleet --mqtt URL`: the reference consumer of upward reports — every node's retained status from the
// broker, as a table sorted worst first (or by node, site, since, last seen), or as JSON.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type FleetRow,
  formatFleet,
  parseStatus,
  SORT_KEYS,
  type SortKey,
  sortFleet,
} from '../report/fleet.ts';
import { readCredentials } from '../report/mqtt.ts';
import { type Command, out, UsageError } from './io.ts';

/** Retained messages come right after the subscription: the table is complete once the broker goes quiet. */
export const QUIET_MS = 200;
const MAX_WAIT_MS = 10_000;

export async function readFleet(o: {
  url: string;
  prefix: string;
  ca?: string | undefined;
  authFile?: string | undefined;
}): Promise<FleetRow[]> {
  const mqtt = await import('mqtt');
  const client = await mqtt.connectAsync(o.url, {
    clientId: `outpost-fleet-${process.pid}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(o.ca ? { ca: readFileSync(o.ca) } : {}),
    ...(o.authFile ? readCredentials(o.authFile) : {}),
  });
  const rows = new Map<string, FleetRow>();
  try {
    let last = Date.now();
    client.on('message', (topic, payload) => {
      last = Date.now();
      const row = parseStatus(payload.toString());
      if (row) rows.set(topic, row);
    });
    await client.subscribeAsync(`${o.prefix}/+/+/status`, { qos: 1 });
    const started = Date.now();
    last = started;
    while (Date.now() - last < QUIET_MS && Date.now() - started < MAX_WAIT_MS) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.endAsync();
  }
  return [...rows.values()];
}

export const fleetCommand: Command = {
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        mqtt: { type: 'string' },
        prefix: { type: 'string', default: 'outpost' },
        ca: { type: 'string' },
        'auth-file': { type: 'string' },
        sort: { type: 'string', default: 'state' },
        json: { type: 'boolean' },
      },
    });
    if (!values.mqtt) throw new UsageError('fleet needs --mqtt mqtt(s)://broker[:port]');
    if (!(SORT_KEYS as readonly string[]).includes(values.sort))
      throw new UsageError(`--sort takes one of ${SORT_KEYS.join(', ')}`);
    const rows = sortFleet(
      await readFleet({
        url: values.mqtt,
        prefix: values.prefix,
        ca: values.ca,
        authFile: values['auth-file'],
      }),
      values.sort as SortKey,
    );
    out(values.json ? JSON.stringify(rows, null, 2) : formatFleet(rows));
    return 0;
  },
};
