// Large trees render on a worker thread: the same objects as inline, errors with their message, the loop free.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from '../../server/render/index.ts';
import { INLINE_BYTES, renderOffThread } from '../../server/render/off-thread.ts';

function bigTree(n: number): Record<string, string> {
  const docs = Array.from(
    { length: n },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: \${NS}\ndata:\n  key: "value-${i}"\n  more: "${'x'.repeat(64)}"\n`,
  );
  return { 'app/a.yaml': docs.slice(0, n / 2).join('---\n'), 'app/b.yaml': docs.slice(n / 2).join('---\n') };
}

test('a large tree renders on a worker to the same objects, while the event loop keeps turning', async () => {
  const files = bigTree(1000);
  assert.ok(Object.values(files).join('').length > INLINE_BYTES, 'large enough to leave the main thread');
  const opts = { vars: { NS: 'shop' } };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const off = await renderOffThread(files, 'app', opts);
  clearInterval(timer);
  assert.deepEqual(off, render(files, 'app', opts));
  assert.equal(off.length, 1000);
  assert.equal(off[0]?.metadata.namespace, 'shop');
  assert.ok(ticks > 3, `timers ran while the worker rendered (${ticks})`);
});

test('an error in the worker arrives with its name and message; a small tree renders inline', async () => {
  const files = bigTree(1000);
  files['app/a.yaml'] = `${files['app/a.yaml']}\n---\nkind: [unclosed\n`;
  await assert.rejects(renderOffThread(files, 'app'), (err: Error) => {
    assert.match(err.message, /app\/a\.yaml/);
    assert.equal(err.name, 'RenderError');
    return true;
  });
  const small = { 'x.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n' };
  assert.deepEqual(await renderOffThread(small, 'x.yaml'), render(small, 'x.yaml'));
});
