// The first-run banner: the setup address and the enrollment code in a framed block a person can find.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrollmentBanner } from '../../server/auth/enrollment.ts';

test('the banner names the setup page and the code, framed, every line the same width', () => {
  const text = enrollmentBanner('http://10.0.0.7:8080/setup', 'K7QD-9XMA', undefined, 30);
  const lines = text.trimEnd().split('\n');
  assert.match(text, /Open: {13}http:\/\/10\.0\.0\.7:8080\/setup/);
  assert.match(text, /Enrollment code: {2}K7QD-9XMA/);
  assert.match(text, /Valid for 30 min, once\. Restart Outpost for a new one\./);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1);
  assert.ok(lines[0]?.startsWith('╔') && lines.at(-1)?.startsWith('╚'));
});

test('a code from a file is not printed: the banner says where it is', () => {
  const text = enrollmentBanner('http://gw/setup', null, '/run/secrets/code', 15);
  assert.match(text, /Enrollment code: {2}in \/run\/secrets\/code/);
  assert.doesNotMatch(text, /Restart/);
});
