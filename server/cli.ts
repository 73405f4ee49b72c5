// The `outpost` command: a table of subcommands, one module each under cli/, all using the server's config.
import { type Command, out, tolerateClosedStdout, UsageError } from './cli/io.ts';
import { ConfigError } from './config-error.ts';
import { freezePrototypes } from './harden.ts';

/** Each command's module is loaded only when it runs: `outpost status` need not load the simulator or renderer. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  status: async () => (await import('./cli/status.ts')).statusCommand,
  sync: async () => (await import('./cli/sync.ts')).syncCommand,
  diff: async () => (await import('./cli/diff.ts')).diffCommand,
  render: async () => (await import('./cli/render.ts')).renderCommand,
  retry: async () => (await import('./cli/sync.ts')).retryCommand,
  rollback: async () => (await import('./cli/sync.ts')).rollbackCommand,
  revisions: async () => (await import('./cli/revisions.ts')).revisionsCommand,
  sim: async () => (await import('./cli/sim.ts')).simCommand,
  bundle: async () => (await import('./cli/bundle.ts')).bundleCommand,
  user: async () => (await import('./cli/user.ts')).userCommand,
  'kiosk-token': async () => (await import('./cli/user.ts')).kioskTokenCommand,
  'support-bundle': async () => (await import('./cli/support-bundle.ts')).supportBundleCommand,
  fleet: async () => (await import('./cli/fleet.ts')).fleetCommand,
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.usage.length));
  const lines = commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `usage: outpost <command> [options]

commands:
${lines.join('\n')}
  ${'help'.padEnd(width)}  this text

Configuration comes from the same OUTPOST_* variables (and OUTPOST_CONFIG file) as the server.
Errors are one line; \`--debug\` (any command) adds the stack trace and causes.`;
}

/** The error as one readable line; with `--debug`, its stack and causes as well. */
function explain(err: unknown, debug: boolean): string {
  const message = err instanceof ConfigError ? err.message : ((err as Error).message ?? String(err));
  if (!debug) return message;
  const lines = [(err as Error).stack ?? message];
  for (let c = (err as Error).cause; c !== undefined && lines.length < 10; c = (c as Error).cause)
    lines.push(`caused by: ${(c as Error).stack ?? String(c)}`);
  return lines.join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  tolerateClosedStdout();
  const debug = argv.includes('--debug');
  const [name, ...args] = argv.filter((a) => a !== '--debug');
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(await usage());
    return name === undefined ? 2 : 0;
  }
  try {
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}"`);
    const command = await load();
    // After the command's modules are loaded: a second wall behind the parsers' refusal of `__proto__` keys.
    freezePrototypes();
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`outpost: ${(err as Error).message}\n\n${await usage()}\n`);
      return 2;
    }
    process.stderr.write(`outpost: ${explain(err, debug)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
