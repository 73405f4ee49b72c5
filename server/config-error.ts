// The error a bad configuration stops a start or a command with: one line per problem. Its own module, so the
// `outpost` command can recognise it without loading the configuration schema (zod) for commands that need none.
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
