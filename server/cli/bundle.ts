// `outpost bundle create|sign|verify|apply`: the publishing side of signed bundles, and applying one on site.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dateExists } from '../calendar.ts';
import { loadConfig } from '../config.ts';
import { openBundle } from '../sources/bundle.ts';
import { dirSource } from '../sources/dir.ts';
import { keyIdHex, parseSecretKey, parseSignature, signData, verifySignature } from '../sources/minisign.ts';
import { readTarGz, writeTarGz } from '../sources/tar.ts';
import { FETCH_LIMITS } from '../sources/types.ts';
import { acceptUpload } from '../sources/upload.ts';
import { resolveTrustedKey } from '../sources/verify.ts';
import { type Command, out, UsageError } from './io.ts';

const VERSION = /^\d{1,15}$/;
const COMMENT_PREFIX = 'outpost-bundle version=';

function readOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function readSigFile(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** `--expires` as an RFC 3339 time, or a span from now such as 30d or 12h. */
export function expiresAt(value: string, now = Date.now()): string {
  const span = /^(\d+)([dh])$/.exec(value);
  if (span) {
    const ms = Number(span[1]) * (span[2] === 'd' ? 86_400_000 : 3_600_000);
    return new Date(now + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value) || !dateExists(value)) {
    throw new UsageError(
      `--expires "${value}" is neither an RFC 3339 time (2027-01-31T00:00:00Z) nor a span (30d, 12h)`,
    );
  }
  return value;
}

async function create(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, version: { type: 'string' } },
  });
  const [dir] = positionals;
  if (!dir || !values.output || !values.version) {
    throw new UsageError('bundle create needs <dir> -o <file.tar.gz> --version <n>');
  }
  if (!VERSION.test(values.version))
    throw new UsageError(`--version "${values.version}" is not a whole number`);
  const { files } = await dirSource(dir).fetch();
  const gz = writeTarGz(files, `${COMMENT_PREFIX}${values.version}`);
  writeFileSync(values.output, gz);
  out(
    `wrote ${values.output}: ${Object.keys(files).length} files, ${gz.length} bytes, version ${values.version}`,
  );
  out(`sign it: outpost bundle sign ${values.output} --key <secret key>`);
  out(`     or: minisign -S -s <secret key> -m ${values.output} -t "version=${values.version}"`);
  return 0;
}

function sign(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      version: { type: 'string' },
      expires: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  });
  const [file] = positionals;
  if (!file || !values.key) throw new UsageError('bundle sign needs <file> --key <minisign secret key file>');
  const data = readOrFail(file, 'bundle');
  const sk = parseSecretKey(readOrFail(values.key, 'secret key').toString('utf8'));
  // The version `bundle create` recorded inside the bundle, unless given here.
  const { comment } = readTarGz(data, file, FETCH_LIMITS);
  const recorded = comment?.startsWith(COMMENT_PREFIX) ? comment.slice(COMMENT_PREFIX.length) : undefined;
  const version = values.version ?? recorded;
  if (!version) throw new UsageError(`${file} records no version: pass --version <n>`);
  if (!VERSION.test(version)) throw new UsageError(`--version "${version}" is not a whole number`);
  if (recorded && values.version && recorded !== values.version) {
    throw new UsageError(`${file} was created as version ${recorded}, not ${values.version}`);
  }
  let trusted = `version=${version}`;
  if (values.expires) trusted += ` expires=${expiresAt(values.expires)}`;
  const sigText = signData(data, sk, trusted, { untrustedComment: `signature of ${path.basename(file)}` });
  // Check our own output before anyone ships it.
  verifySignature(data, parseSignature(sigText), [sk.publicKey]);
  const sigFile = values.output ?? `${file}.minisig`;
  writeFileSync(sigFile, sigText);
  out(`signed ${file} with key ${keyIdHex(sk.keyId)} (${trusted}): wrote ${sigFile}`);
  return 0;
}

function describe(fetched: { version?: string; signer?: string; expires?: string; files: object }): string {
  const n = Object.keys(fetched.files).length;
  if (!fetched.signer) return `unsigned, ${n} files`;
  return `version ${fetched.version}, signed by key ${fetched.signer}${fetched.expires ? `, expires ${fetched.expires}` : ''}, ${n} files`;
}

function verify(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { pubkey: { type: 'string', multiple: true }, sig: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file) throw new UsageError('bundle verify needs <file> --pubkey <minisign public key file>');
  const keys = values.pubkey?.length ? values.pubkey.map(resolveTrustedKey) : loadConfig().trustedKeys;
  if (keys.length === 0) throw new UsageError('give --pubkey <file> (or set OUTPOST_TRUSTED_KEYS)');
  const sigFile = values.sig ?? `${file}.minisig`;
  try {
    const fetched = openBundle(file, readOrFail(file, 'bundle'), readSigFile(sigFile), sigFile, {
      policy: { trustedKeys: keys, requireSignature: true },
      limits: FETCH_LIMITS,
    });
    out(`valid: ${describe(fetched)}`);
    return 0;
  } catch (err) {
    process.stderr.write(`invalid: ${(err as Error).message}\n`);
    return 1;
  }
}

async function apply(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { sig: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file) throw new UsageError('bundle apply needs <file> (its signature beside it as <file>.minisig)');
  const config = loadConfig();
  const sigFile = values.sig ?? `${file}.minisig`;
  // Loaded here, not at the top: the other bundle commands never open a cluster (start-up time).
  const { cliActor } = await import('./context.ts');
  const accepted = await acceptUpload(
    config.dataDir,
    readOrFail(file, 'bundle'),
    readSigFile(sigFile),
    path.resolve(file),
    {
      policy: { trustedKeys: config.trustedKeys, requireSignature: config.requireSignature },
      limits: { ...FETCH_LIMITS, timeoutMs: config.fetchTimeout },
    },
    cliActor(),
  );
  out(`accepted ${file}: ${describe(accepted.fetched)}`);
  out(`stored as ${accepted.file}`);
  out(
    `the node applies it on its next sync (the newest verified upload wins until upstream publishes a newer version)`,
  );
  return 0;
}

const SUBCOMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  create,
  sign,
  verify,
  apply,
};

export const bundleCommand: Command = {
  run(args) {
    const [sub, ...rest] = args;
    const fn = sub ? SUBCOMMANDS[sub] : undefined;
    if (!fn) {
      throw new UsageError(
        'bundle create <dir> -o <file.tar.gz> --version <n>\n' +
          '       bundle sign <file> --key <secret key> [--version <n>] [--expires <time|30d>]\n' +
          '       bundle verify <file> --pubkey <public key> [--sig <file.minisig>]\n' +
          '       bundle apply <file> [--sig <file.minisig>]',
      );
    }
    return fn(rest);
  },
};
