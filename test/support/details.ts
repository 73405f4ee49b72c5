// Checks that a page says a problem in the reader's words and keeps the raw engineer text folded away, under
// "Details for support" (views/partials/support-detail.eta).
import assert from 'node:assert/strict';

const FOLDED = /<details class="support-detail">[\s\S]*?<\/details>/g;

/** What the reader sees at once, and each folded "Details for support" block. */
export function supportSplit(html: string): { shown: string; folded: string[] } {
  return { shown: html.replace(FOLDED, ' '), folded: [...html.matchAll(FOLDED)].map((m) => m[0]) };
}

/** `sentence` is shown; `raw` (HTML-escaped as the page prints it) appears only inside the folded details. */
export function assertSaidApart(html: string, sentence: string | RegExp, raw: string | RegExp): void {
  const { shown, folded } = supportSplit(html);
  if (typeof sentence === 'string') assert.ok(shown.includes(sentence), `the page says “${sentence}”`);
  else assert.match(shown, sentence);
  const has = (text: string) => (typeof raw === 'string' ? text.includes(raw) : raw.test(text));
  assert.ok(!has(shown), `the raw text ${String(raw)} is shown outside "Details for support"`);
  assert.ok(folded.some(has), `the raw text ${String(raw)} is under "Details for support"`);
}
