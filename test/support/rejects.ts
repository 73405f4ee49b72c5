// Asserts a promise rejects with an error of one class whose message matches: one helper, not a copy per file.
import assert from 'node:assert/strict';

// biome-ignore lint/suspicious/noExplicitAny: any Error subclass, whatever its constructor takes.
type ErrorClass = abstract new (...args: any[]) => Error;

export async function rejectsWith(p: Promise<unknown>, pattern: RegExp, kind: ErrorClass): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(
      err instanceof kind,
      `expected ${kind.name}, got ${(err as Error).name}: ${(err as Error).message}`,
    );
    assert.match((err as Error).message, pattern);
    return true;
  });
}
