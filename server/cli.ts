// The `outpost` command: a table of subcommands, one module each under cli/, all using the server's config.
import { bundleCommand } from './cli/bundle.ts';
import { diffCommand } from './cli/diff.ts';
import { type Command, out, UsageError } from './cli/io.ts';
import { renderCommand } from './cli/render.ts';
import { revisionsCommand } from './cli/revisions.ts';
import { simCommand } from './cli/sim.ts';
import { statusCommand } from './cli/status.ts';
import { supportBundleCommand } from './cli/support-bundle.ts';
import { retryCommand, rollbackCommand, syncCommand } from './cli/sync.ts';
import { kioskTokenCommand, userCommand } from './cli/user.ts';
import { ConfigError } from './config.ts';

const COMMANDS: Command[] = [
  statusCommand,
  syncCommand,
  diffCommand,
  renderCommand,
  retryCommand,
  rollbackCommand,
  revisionsCommand,
  simCommand,
  bundleCommand,
  userCommand,
  kioskTokenCommand,
  supportBundleCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `usage: outpost <command> [options]

commands:
${lines.join('\n')}
  ${'help'.padEnd(width)}  this text

Configuration comes from the same OUTPOST_* variables (and OUTPOST_CONFIG file) as the server.`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  try {
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`outpost: ${(err as Error).message}\n\n${usage()}\n`);
      return 2;
    }
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    process.stderr.write(`outpost: ${message}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
