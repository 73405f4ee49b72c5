// Revision labels from hostile text: one line, bounded, no control or invisible format characters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanLine, commitLabel, LABEL_LIMITS, uploadLabel } from '../../server/sources/label.ts';

test('cleanLine makes one line: control characters become spaces, format characters go, spaces collapse', () => {
  assert.equal(cleanLine('  a\tb\r\n\u0085c\u2028d\u001b[0m e\u202eRTL\u200b ', 100), 'a b c d [0m eRTL');
});

test('cleanLine cuts at a character (never inside a surrogate pair) and marks the cut', () => {
  const out = cleanLine('😀'.repeat(50), 10);
  assert.equal(Array.from(out).length, 10);
  assert.ok(out.endsWith('…'));
  assert.equal(out, `${'😀'.repeat(9)}…`);
  assert.equal(cleanLine('short', 10), 'short');
});

test('cleanLine scans only a bounded prefix of a huge text', () => {
  const out = cleanLine(`${'\u0007'.repeat(5_000_000)}tail`, 20);
  // The prefix held only control characters: nothing is left of it, and the tail megabytes away is never read.
  assert.equal(out, '');
});

test('commitLabel takes the first line as subject, the author name and the commit time', () => {
  const label = commitLabel({
    message: 'Bump web to 1.2\r\n\r\nbody',
    author: { name: 'Ada' },
    committer: { timestamp: 1_700_000_000 },
  });
  assert.deepEqual(label, {
    subject: 'Bump web to 1.2',
    author: 'Ada',
    committedAt: '2023-11-14T22:13:20.000Z',
  });
});

test('commitLabel bounds a long subject and leaves out a time no date can hold', () => {
  const label = commitLabel({
    message: 'x'.repeat(10_000),
    author: { name: 'y'.repeat(1_000) },
    committer: { timestamp: 1e300 },
  });
  assert.equal(Array.from(label.subject ?? '').length, LABEL_LIMITS.subject);
  assert.equal(Array.from(label.author ?? '').length, LABEL_LIMITS.author);
  assert.equal(label.committedAt, undefined);
  assert.deepEqual(commitLabel({ message: '\n', author: { name: '' }, committer: { timestamp: 0 } }), {
    committedAt: '1970-01-01T00:00:00.000Z',
  });
});

test('uploadLabel keeps the base name of a POSIX or Windows path, and who uploaded it', () => {
  assert.deepEqual(uploadLabel('/home/tech/usb/berlin.tar.gz', 'cli:tech'), {
    uploadName: 'berlin.tar.gz',
    uploadedBy: 'cli:tech',
  });
  assert.deepEqual(uploadLabel('C:\\Users\\tech\\berlin\u202e.tar.gz', undefined), {
    uploadName: 'berlin.tar.gz',
  });
});
