// The `outpost` command: a table of subcommands, one module each under cli/, all using the server's config.
import { type Command, out, tolerateClosedStdout, UsageError } from './cli/io.ts';
import { ConfigError } from './config-error.ts';
import { freezePrototypes } from './harden.ts';

/**
 * Each command's module is loaded only when it runs (`outpost status` need not load the simulator or renderer);
 * its synopsis lives here, so `help` loads none of them. `renders`: the command renders fleet content on a worker.
 */
const COMMANDS: Record<
  string,
  { usage: string; summary: string; load: () => Promise<Command>; renders?: boolean }
> = {
  status: {
    usage: 'status [--json]',
    summary:
      'the node state as the console shows it: sync and health, the causes, the held revision, upstream',
    load: async () => (await import('./cli/status.ts')).statusCommand,
  },
  sync: {
    usage: 'sync --once [--allow-mass-prune]',
    summary:
      'one reconcile in this process, like a scheduled one; exit 0 only on success (--allow-mass-prune: confirm deleting more than OUTPOST_MAX_PRUNE_RATIO of the running objects)',
    load: async () => (await import('./cli/sync.ts')).syncCommand,
    renders: true,
  },
  diff: {
    usage: 'diff [--json]',
    summary: 'what the next sync would change on the cluster (server dry-run), without applying',
    load: async () => (await import('./cli/diff.ts')).diffCommand,
    renders: true,
  },
  render: {
    usage: 'render <path> [--var K=V]... [--strict] [--root <dir>]',
    summary: 'render a folder (Kustomize or plain YAML, then variable substitution) to stdout',
    load: async () => (await import('./cli/render.ts')).renderCommand,
  },
  retry: {
    usage: 'retry [--allow-mass-prune]',
    summary: 'apply the revision held after a failed rollout once more',
    load: async () => (await import('./cli/sync.ts')).retryCommand,
  },
  rollback: {
    usage: 'rollback <revision id> [--allow-mass-prune]',
    summary: 'apply a stored revision (see `revisions`) with no network',
    load: async () => (await import('./cli/sync.ts')).rollbackCommand,
  },
  revisions: {
    usage: 'revisions [--json]',
    summary: 'stored revisions: id, digest, status, version, fetched at',
    load: async () => (await import('./cli/revisions.ts')).revisionsCommand,
  },
  sim: {
    usage: 'sim [--port P] [--kubeconfig F]',
    summary: 'run the Kubernetes simulator standalone and write a kubeconfig for it',
    load: async () => (await import('./cli/sim.ts')).simCommand,
  },
  bundle: {
    usage: 'bundle create|sign|verify|apply',
    summary: 'make, sign, check a signed bundle; apply one on site (air-gapped)',
    load: async () => (await import('./cli/bundle.ts')).bundleCommand,
  },
  user: {
    usage: 'user add|passwd|role|expire|unlock|list|remove …',
    summary:
      'console users: add (--role, --password-stdin, --expires), passwd, role, expire, unlock, list, remove',
    load: async () => (await import('./cli/user.ts')).userCommand,
  },
  'kiosk-token': {
    usage: 'kiosk-token create|list|revoke [<name>]',
    summary: 'tokens that let a screen show /kiosk without signing in (and nothing else)',
    load: async () => (await import('./cli/user.ts')).kioskTokenCommand,
  },
  'support-bundle': {
    usage: 'support-bundle [-o FILE]',
    summary: 'write the support bundle (host facts, samples, runs, diffs, events, pod logs, redacted config)',
    load: async () => (await import('./cli/support-bundle.ts')).supportBundleCommand,
  },
  fleet: {
    usage:
      'fleet --mqtt URL [--prefix P] [--ca FILE] [--auth-file FILE] [--sort state|node|site|since|seen] [--json]',
    summary: "every node's reported status from an MQTT broker, worst first",
    load: async () => (await import('./cli/fleet.ts')).fleetCommand,
  },
};

function usage(): string {
  const commands = Object.values(COMMANDS);
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
    out(usage());
    return name === undefined ? 2 : 0;
  }
  try {
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}"`);
    // The worker starts before the command's own modules load, so its start-up (~0.1 s of thread and Node
    // bootstrap, as much again for the renderer's modules) runs beside that loading instead of after it.
    if (entry.renders) (await import('./render/off-thread.ts')).prewarmRenderWorker();
    const command = await entry.load();
    // After the command's modules are loaded: a second wall behind the parsers' refusal of `__proto__` keys.
    freezePrototypes();
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`outpost: ${(err as Error).message}\n\n${usage()}\n`);
      return 2;
    }
    process.stderr.write(`outpost: ${explain(err, debug)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
