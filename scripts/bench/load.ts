// Paced load from its own process: N clients, each on its own kept-alive connection, each asking for a page R
// times a second at fixed times (phases spread over the period), as N screens polling would. autocannon's -R
// sends in bursts (a bare node:http server shows p99 ≈ 45 ms under it), so latency at a rate is measured here.
// Latency counts from when a request was due, not when it could be sent: a stall is not hidden by the client
// waiting for it (no coordinated omission).
// Usage: node scripts/bench/load.ts <url> <clients> <perClientPerSecond> <seconds> [cookie] → JSON on stdout.
import http from 'node:http';

export interface PacedResult {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  rps: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function client(
  url: URL,
  headers: http.OutgoingHttpHeaders,
  periodMs: number,
  phaseMs: number,
  until: number,
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const get = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers }, (res) => {
        if (res.statusCode !== 200) errors++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  let due = performance.now() + phaseMs;
  while (due < until) {
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await get();
    latencies.push(performance.now() - due);
    due += periodMs;
  }
  agent.destroy();
  return { latencies, errors };
}

export async function pacedLoad(
  target: string,
  clients: number,
  perSecond: number,
  seconds: number,
  cookie?: string,
): Promise<PacedResult> {
  const url = new URL(target);
  const headers = cookie ? { cookie } : {};
  const periodMs = 1000 / perSecond;
  const started = performance.now();
  const until = started + seconds * 1000;
  const runs = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      client(url, headers, periodMs, (i * periodMs) / clients, until),
    ),
  );
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(all, 50)),
    p90: round(percentile(all, 90)),
    p99: round(percentile(all, 99)),
    max: round(all.at(-1) ?? Number.NaN),
    requests: all.length,
    rps: Math.round(all.length / ((performance.now() - started) / 1000)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

if (import.meta.main) {
  const [url, clients, rate, seconds, cookie] = process.argv.slice(2);
  const result = await pacedLoad(url as string, Number(clients), Number(rate), Number(seconds), cookie);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
