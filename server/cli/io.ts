// Shared bits of the `outpost` command: output and the usage error every subcommand may throw.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Set once whoever reads our output has gone (`outpost sync --once | head -1`). */
let readerGone = false;

export function out(line: string): void {
  if (!readerGone) process.stdout.write(`${line}\n`);
}

/**
 * A reader that stops early closes the pipe: the rest of the output has nowhere to go, but the command (a sync
 * half done) must finish and exit with its own code rather than crash on EPIPE.
 */
export function tolerateClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    readerGone = true;
  });
}

/** One subcommand (its synopsis is in the table in cli.ts): `run` returns the exit code. */
export interface Command {
  run(args: string[]): number | Promise<number>;
}
