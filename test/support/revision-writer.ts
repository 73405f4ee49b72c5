// Child process for the power-cut test: stores revisions with 500 objects each as fast as it can until killed.
// argv: <dataDir> <start index>
import { openDb } from '../../server/db/open.ts';
import { storeRevision } from '../../server/db/revisions.ts';

const [dataDir, start] = process.argv.slice(2) as [string, string];
const db = openDb(dataDir);
const objects = Array.from({ length: 500 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${i}`, namespace: 'shop' },
  data: { value: 'x'.repeat(200) },
}));
process.stdout.write('ready\n');
for (let i = Number(start); ; i++) {
  storeRevision(db, {
    digest: `sha256:${i}`,
    sourceKind: 'dir',
    sourceUrl: '/x',
    sourcePath: '.',
    files: Object.fromEntries(objects.map((o) => [`${o.metadata.name}.yaml`, JSON.stringify(o)])),
    objects,
  });
}
