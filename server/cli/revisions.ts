// `outpost revisions`: the revisions stored on this node, newest first, with their status.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { listRevisions, shortDigest } from '../db/revisions.ts';
import { type Command, out } from './io.ts';
import { readStore } from './store.ts';

export const revisionsCommand: Command = {
  name: 'revisions',
  usage: 'revisions [--json]',
  summary: 'stored revisions: id, digest, status, version, fetched at',
  run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    const config = loadConfig();
    if (!existsSync(path.join(config.dataDir, 'outpost.db'))) {
      out(values.json ? '[]' : 'no revisions stored yet');
      return 0;
    }
    const revs = readStore(config.dataDir, listRevisions);
    if (values.json) out(JSON.stringify(revs, null, 2));
    else
      for (const r of revs) {
        out(
          `${String(r.id).padStart(4)}  ${shortDigest(r.digest)}  ${r.status.padEnd(7)}  ${r.version ?? '-'}  ${r.fetchedAt}`,
        );
      }
    return 0;
  },
};
