// The objects page model: problems worst first (health's order), pages clamped; and newest-first keyset paging.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthStatus } from '../../server/apply/health/index.ts';
import type { LiveObject } from '../../server/sync/live.ts';
import { OBJECTS_PER_PAGE, objectsPageModel } from '../../server/web/models/objects.ts';
import { newestFirstPage } from '../../server/web/models/paging.ts';

const obj = (name: string, status: HealthStatus): LiveObject => ({
  ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name },
  health: { status, message: '' },
});
const live = (objects: LiveObject[]) => ({ objects, refreshedAt: null, error: null });

test('the problems-only objects page lists the unhealthy objects worst first and counts them', () => {
  const m = objectsPageModel(
    live([obj('a', 'Progressing'), obj('b', 'Healthy'), obj('c', 'Degraded'), obj('d', 'Unknown')]),
    { problemsOnly: true, page: '1' },
  );
  assert.deepEqual(
    m.objects.map((o) => o.ref.name),
    ['c', 'd', 'a'],
  );
  assert.equal(m.problemCount, 3);
  assert.equal(m.total, 4);
});

test('the objects page clamps a page number past the end or not a number', () => {
  const many = Array.from({ length: OBJECTS_PER_PAGE + 1 }, (_, i) => obj(`o${i}`, 'Healthy'));
  assert.equal(objectsPageModel(live(many), { problemsOnly: false, page: '9' }).page, 2);
  assert.equal(objectsPageModel(live(many), { problemsOnly: false, page: 'x' }).page, 1);
  assert.equal(objectsPageModel(live(many), { problemsOnly: false, page: '2' }).objects.length, 1);
});

test('newestFirstPage points at the last row shown only when a row beyond the page was read', () => {
  const rows = [{ id: 9 }, { id: 7 }, { id: 4 }];
  assert.deepEqual(newestFirstPage(rows, 2), { rows: [{ id: 9 }, { id: 7 }], older: 7 });
  assert.deepEqual(newestFirstPage(rows, 3), { rows, older: null });
});
