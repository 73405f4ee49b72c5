// `outpost render <path> [--var K=V]... [--strict]`: render a folder as the node would, print multi-document YAML.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, UsageError } from './io.ts';

/**
 * The folder read as the revision: overlays name their bases with `../`, which must be inside it. An explicit
 * --root wins; else the Git work tree holding <path>; else the current folder, when it holds <path>.
 */
function revisionRoot(target: string, explicit: string | undefined): string {
  if (explicit) return path.resolve(explicit);
  for (let dir = target; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const cwd = process.cwd();
  return target === cwd || target.startsWith(`${cwd}${path.sep}`) ? cwd : target;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      var: { type: 'string', multiple: true },
      strict: { type: 'boolean' },
      root: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('render needs exactly one <path>');
  const vars: Record<string, string> = {};
  for (const pair of values.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var "${pair}" is not K=V`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  // Loaded here, not at the top: other subcommands should not pay for the renderer.
  const [{ dirSource }, { renderOffThread }, { toYaml }, { loadRenderLimits }] = await Promise.all([
    import('../sources/dir.ts'),
    import('../render/off-thread.ts'),
    import('../render/yaml.ts'),
    import('../config.ts'),
  ]);
  const limits = loadRenderLimits();
  const target = path.resolve(positionals[0] as string);
  const root = revisionRoot(target, values.root);
  const at = path.relative(root, target).split(path.sep).join('/') || '.';
  if (at.startsWith('..')) throw new UsageError(`${positionals[0]} is not inside --root ${root}`);
  const { files } = await dirSource(root).fetch();
  // On a worker, as the server renders: killed at OUTPOST_RENDER_TIMEOUT or its heap limit.
  const objects = await renderOffThread(files, at, { vars, strictVars: values.strict ?? false }, limits);
  process.stdout.write(toYaml(objects));
  return 0;
}

export const renderCommand: Command = {
  run,
};
