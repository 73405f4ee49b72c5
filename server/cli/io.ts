// Shared bits of the `outpost` command: output and the usage error every subcommand may throw.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One subcommand: `usage` is its synopsis line, `run` returns the exit code. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(args: string[]): number | Promise<number>;
}
