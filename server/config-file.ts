// The optional configuration file (OUTPOST_CONFIG), and where the store is before — or instead of — validating
// the whole configuration (config.ts): the commands that only read the store need nothing else.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from './config-error.ts';

/** OUTPOST_DATA_DIR's default; config.ts validates the setting. */
export const DEFAULT_DATA_DIR = './data';

/**
 * The YAML parser, loaded only when there is a configuration file: the commands that read the configuration
 * on every run (`outpost status`) should not pay ~50 ms for a parser most nodes never use. Synchronous, as
 * loadConfig is; `yaml` is a CommonJS package, so this is the same instance the renderer imports.
 */
const parseYaml = (text: string, options: { maxAliasCount: number }): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text, options);

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`OUTPOST_CONFIG: cannot read ${file}: ${(err as Error).message}`], { cause: err });
  }
  try {
    const doc = parseYaml(text, { maxAliasCount: 50 }) ?? {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the top level must be a mapping');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`OUTPOST_CONFIG: ${file} is not valid YAML: ${(err as Error).message}`], {
      cause: err,
    });
  }
}

/** OUTPOST_DATA_DIR when set (an empty variable counts as unset, as in loadConfig, and the variable wins over the file). */
const dataDirVariable = (env: NodeJS.ProcessEnv): string | undefined =>
  env.OUTPOST_DATA_DIR !== undefined && env.OUTPOST_DATA_DIR !== '' ? env.OUTPOST_DATA_DIR : undefined;

/**
 * Where the store is, for commands that read nothing else (`outpost revisions`), without validating the settings
 * they do not use: a plain path, taken as loadConfig takes it. Null when the given value is not one (a number,
 * an empty value in the file): then loadConfig decides, so the error is the one it gives. An unreadable or broken
 * file is refused here as loadConfig refuses it, even when the variable decides.
 */
export function plainDataDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromFile = env.OUTPOST_CONFIG ? readConfigFile(env.OUTPOST_CONFIG).dataDir : undefined;
  const given = dataDirVariable(env) ?? fromFile;
  if (given === undefined) return path.resolve(DEFAULT_DATA_DIR);
  return typeof given === 'string' && given !== '' ? path.resolve(given) : null;
}

/**
 * Only where the store is, for `outpost status` when the rest of the configuration is broken (a bad schedule
 * must not hide what the node runs). Never throws: an unreadable file leaves the default.
 */
export function loadDataDir(env: NodeJS.ProcessEnv = process.env): string {
  let fromFile: unknown;
  try {
    fromFile = env.OUTPOST_CONFIG ? readConfigFile(env.OUTPOST_CONFIG).dataDir : undefined;
  } catch {
    fromFile = undefined;
  }
  const given = dataDirVariable(env) ?? fromFile;
  return path.resolve(typeof given === 'string' && given !== '' ? given : DEFAULT_DATA_DIR);
}
