// The support bundle: one tar.gz with host facts, samples, status, runs, audit, revision diffs, cluster state,
// bounded pod logs and the redacted configuration — built the same way by the page and `outpost support-bundle`.
import { readCluster } from '../cluster/reads.ts';
import type { ClusterClient } from '../cluster/types.ts';
import { recentAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import { historyCounts } from '../db/retention.ts';
import { listRevisions, revisionObjects, shortDigest } from '../db/revisions.ts';
import { recentRuns } from '../db/runs.ts';
import { samplesSince } from '../db/samples.ts';
import { writeTarGz } from '../sources/tar.ts';
import { buildSnapshot, managedScope } from './cluster-view.ts';
import { diffObjects, diffText } from './diff.ts';
import { redact } from './redact.ts';
import { RunningInventory } from './running.ts';
import { readStatus, storeStatus } from './status.ts';

export interface SupportBundleDeps {
  db: Db;
  cluster: ClusterClient;
  nodeName: string;
  /** Anything describing the configuration; it is redacted before it is written. */
  config: unknown;
  hostFacts: () => Promise<unknown> | unknown;
  now?: Date;
}

/** Bounds: a bundle must stay small enough to mail, whatever the node runs. */
export const LOG_PODS = 30;
export const LOG_LINES = 200;
export const LOG_BYTES_PER_CONTAINER = 64 * 1024;
export const DIFF_PAIRS = 10;
const CLUSTER_TIMEOUT_MS = 10_000;

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function readLog(
  cluster: ClusterClient,
  namespace: string,
  name: string,
  container: string,
): Promise<string> {
  const stream = await withTimeout(
    cluster.logs(
      { namespace, name },
      { container, tailLines: LOG_LINES, limitBytes: LOG_BYTES_PER_CONTAINER },
    ),
    CLUSTER_TIMEOUT_MS,
    `log of ${namespace}/${name}`,
  );
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    bytes += (c as Buffer).length;
    if (bytes >= LOG_BYTES_PER_CONTAINER) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, LOG_BYTES_PER_CONTAINER).toString('utf8');
}

function samplesCsv(db: Db, from: number): string {
  const rows = samplesSince(db, from, 20_000);
  const head =
    'time,cpu_share,mem_used_bytes,mem_total_bytes,disk_used_bytes,disk_total_bytes,temp_c,rx_bytes_s,tx_bytes_s,load1';
  const cell = (v: number | null) => (v === null ? '' : String(Math.round(v * 1000) / 1000));
  const lines = rows.map((s) =>
    [
      new Date(s.at).toISOString(),
      s.cpu,
      s.memUsed,
      s.memTotal,
      s.diskUsed,
      s.diskTotal,
      s.temp,
      s.rx,
      s.tx,
      s.load1,
    ]
      .map((v, i) => (i === 0 ? String(v) : cell(v as number | null)))
      .join(','),
  );
  return `${[head, ...lines].join('\n')}\n`;
}

export async function buildSupportBundle(d: SupportBundleDeps): Promise<Buffer> {
  const now = d.now ?? new Date();
  const files: Record<string, string> = {};
  const problems: string[] = [];

  files['host.json'] = json(await d.hostFacts());
  files['samples-24h.csv'] = samplesCsv(d.db, now.getTime() - 86_400_000);
  files['status.json'] = json(readStatus(d.db));
  // The store against its bound: what fills the data volume, before it does.
  files['store.json'] = json({ ...storeStatus(d.db), rows: historyCounts(d.db) });
  // Run messages and audit details may quote a source address: credentials in it go.
  files['runs.json'] = json(redact(recentRuns(d.db, 50)));
  files['audit.json'] = json(redact(recentAudit(d.db, 500)));
  files['config.json'] = json(redact(d.config));

  const revisions = listRevisions(d.db, 100);
  files['revisions.json'] = json(revisions.map((r) => ({ ...r, sourceUrl: redact(r.sourceUrl) })));
  // Each stored revision against the one before it, newest first: what every update changed.
  for (let i = 0; i < Math.min(DIFF_PAIRS, revisions.length - 1); i++) {
    const to = revisions[i];
    const from = revisions[i + 1];
    if (!to || !from) break;
    const diff = diffObjects(revisionObjects(d.db, from.id), revisionObjects(d.db, to.id));
    files[`diffs/${from.id}-${shortDigest(from.digest)}..${to.id}-${shortDigest(to.digest)}.txt`] =
      diffText(diff);
  }

  try {
    const read = await withTimeout(readCluster(d.cluster), CLUSTER_TIMEOUT_MS, 'cluster');
    const snap = buildSnapshot(read, managedScope(new RunningInventory(d.db).refs()), now.getTime());
    files['cluster/nodes.json'] = json(read.nodes);
    files['cluster/workloads.json'] = json(snap.workloads.map(({ pods: _pods, ...w }) => w));
    files['cluster/pods.json'] = json(snap.pods);
    files['cluster/events.json'] = json(snap.events);
    // Failing pods first: their logs are the ones support needs.
    const pods = [...snap.pods]
      .sort((a, b) => Number(b.reason !== null) - Number(a.reason !== null))
      .slice(0, LOG_PODS);
    for (const p of pods) {
      for (const c of p.containers) {
        const file = `logs/${p.namespace}/${p.name}/${c}.log`;
        try {
          files[file] = await readLog(d.cluster, p.namespace, p.name, c);
        } catch (err) {
          files[file] = `(no log: ${(err as Error).message})\n`;
        }
      }
    }
  } catch (err) {
    problems.push(`cluster: ${(err as Error).message}`);
  }

  files['README.txt'] = [
    `Outpost support bundle for ${d.nodeName}, made ${now.toISOString()}.`,
    '',
    'host.json             host inventory (OS, hardware, CPU, memory, file systems, block devices, addresses)',
    'samples-24h.csv       host readings of the last 24 hours',
    'status.json           running revision, last attempt, upstream reachability, holds',
    'runs.json, audit.json recent sync runs (with per-object changes) and the audit log',
    'revisions.json        stored revisions; diffs/ what each one changed against the one before',
    '                      (values of Secrets and container env variables hidden: only which keys changed)',
    'cluster/              nodes, workloads, pods and events in the namespaces Outpost manages',
    `logs/                 the last ${LOG_LINES} lines of each container (at most ${LOG_PODS} pods, failing first)`,
    'config.json           the configuration, secrets and every variable value replaced by [redacted]',
    ...(problems.length ? ['', 'Could not collect:', ...problems.map((p) => `  ${p}`)] : []),
    '',
  ].join('\n');
  return writeTarGz(files, `outpost support bundle ${d.nodeName} ${now.toISOString()}`);
}
