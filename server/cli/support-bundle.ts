// `outpost support-bundle [-o FILE]`: the console's support bundle, written from a shell on the node.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hostFacts } from '../host/facts.ts';
import { buildSupportBundle } from '../sync/support-bundle.ts';
import { withReconciler } from './context.ts';
import { type Command, out, UsageError } from './io.ts';

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { output: { type: 'string', short: 'o' } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
  return withReconciler(async (deps, config) => {
    const file = path.resolve(
      values.output ?? `outpost-support-${config.nodeName.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.tar.gz`,
    );
    const body = await buildSupportBundle({
      db: deps.db,
      cluster: deps.cluster,
      nodeName: config.nodeName,
      config,
      hostFacts,
    });
    // Whole or not at all: a half-written bundle must not look like a good one.
    writeFileSync(`${file}.part`, body);
    renameSync(`${file}.part`, file);
    out(`support bundle written to ${file} (${body.length} bytes)`);
    return 0;
  });
}

export const supportBundleCommand: Command = {
  run,
};
