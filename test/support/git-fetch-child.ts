// Child process for memory tests: one git fetch with the default limits, then its outcome and peak RSS as JSON.
// argv: <url> <ref>
import { gitSource } from '../../server/sources/git.ts';
import { sourceOptions } from '../../server/sources/index.ts';

const [url, ref] = process.argv.slice(2) as [string, string];
let outcome: { ok: true; files: string[] } | { ok: false; name: string; message: string };
try {
  const got = await gitSource(url, ref, sourceOptions({ kind: 'git', url, path: '.' })).fetch();
  outcome = { ok: true, files: Object.keys(got.files) };
} catch (err) {
  outcome = { ok: false, name: (err as Error).name, message: (err as Error).message };
}
// maxRSS is in kilobytes: the high-water mark of the whole process, as /proc/<pid>/status VmHWM.
process.stdout.write(JSON.stringify({ ...outcome, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
