// The `upload` source: signed bundles put on site (web form, `outpost bundle apply`) into <dataDir>/uploads/.
import { createHash } from 'node:crypto';
import { access, mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { openBundle } from './bundle.ts';
import { type RevisionLabel, uploadLabel } from './label.ts';
import type { SourceOptions } from './options.ts';
import { answers, defineSource, FetchError, type Fetched, type Source } from './types.ts';
import { VerifyError } from './verify.ts';

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

async function readSig(file: string): Promise<string | null> {
  try {
    return await readFile(`${file}.minisig`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Where an upload's label (its file name as uploaded, and who uploaded it) is kept beside it. */
const labelFile = (file: string) => `${file}.label.json`;
/** A label file is a few hundred bytes; anything bigger is not one of ours. */
const MAX_LABEL_BYTES = 4096;

/** The label kept beside an upload, cleaned again as it is read; none when missing or not one of ours. */
async function readLabel(file: string): Promise<RevisionLabel | undefined> {
  let text: string;
  try {
    const fh = await open(labelFile(file), 'r');
    try {
      const buf = Buffer.alloc(MAX_LABEL_BYTES + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_LABEL_BYTES) return undefined;
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const own = (k: string) => {
    const v = Object.hasOwn(parsed, k) ? (parsed as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const name = own('uploadName');
  return name === undefined ? undefined : uploadLabel(name, own('uploadedBy'));
}

/** Writes then renames, with fsync, so a reader never sees half a file and a power cut loses nothing accepted. */
async function writeAtomic(file: string, data: Buffer | string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${path.basename(file)}`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

export interface AcceptedUpload {
  /** Where the bundle now lives (its signature beside it as <file>.minisig). */
  file: string;
  fetched: Fetched;
}

/**
 * Verifies an uploaded bundle exactly as a fetched one, then stores it in the uploads folder.
 * Its label and signature land first, so whoever sees the bundle also sees them.
 */
export async function acceptUpload(
  dataDir: string,
  bundle: Buffer,
  sigText: string | null,
  label: string,
  opts: Pick<SourceOptions, 'policy' | 'limits'>,
  /** Who uploaded it (a console user, `cli:<user>`): shown with the revision. */
  uploader?: string,
): Promise<AcceptedUpload> {
  if (bundle.length > opts.limits.maxDownloadBytes) {
    throw new FetchError(
      `bundle ${label}: ${bundle.length} bytes is over the ${opts.limits.maxDownloadBytes}-byte limit`,
    );
  }
  const fetched = openBundle(label, bundle, sigText, `${label}.minisig`, opts);
  const dir = uploadsDir(dataDir);
  await mkdir(dir, { recursive: true });
  const sha = createHash('sha256').update(bundle).digest('hex').slice(0, 12);
  const file = path.join(dir, `${fetched.version ? `v${fetched.version}` : 'unsigned'}-${sha}.tar.gz`);
  fetched.label = uploadLabel(label, uploader);
  // The label and signature land before the bundle: whoever sees the bundle sees them too.
  await writeAtomic(labelFile(file), JSON.stringify(fetched.label));
  if (sigText !== null) await writeAtomic(`${file}.minisig`, sigText);
  await writeAtomic(file, bundle);
  return { file, fetched };
}

/** The newest verified upload: highest signed version, then the most recently uploaded. */
export function uploadSource(dir: string, opts: SourceOptions): Source {
  return defineSource(
    'upload',
    dir,
    // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: chooses the newest verified upload and refuses the rest, each refusal its own branch.
    async (prev) => {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.tar.gz') && !n.startsWith('.'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new FetchError(`${dir}: cannot read the uploads folder: ${(err as Error).message}`, {
            cause: err,
          });
        }
        names = [];
      }
      if (names.length === 0) throw new FetchError(`${dir}: no bundle has been uploaded yet`);
      const listing = await Promise.all(
        names.sort().map(async (n) => ({ n, st: await stat(path.join(dir, n)) })),
      );
      const token = createHash('sha256')
        .update(listing.map(({ n, st }) => `${n}:${st.size}:${st.mtimeMs}`).join('\n'))
        .digest('hex');
      if (prev?.token === token && !prev.full) return { unchanged: true, token };

      let best: { fetched: Fetched; version: number; mtime: number } | undefined;
      let lastError: Error | undefined;
      for (const { n, st } of listing) {
        const file = path.join(dir, n);
        try {
          if (st.size > opts.limits.maxDownloadBytes) {
            throw new FetchError(
              `bundle ${file}: ${st.size} bytes is over the ${opts.limits.maxDownloadBytes}-byte limit`,
            );
          }
          const fetched = openBundle(
            file,
            await readFile(file),
            await readSig(file),
            `${file}.minisig`,
            opts,
          );
          const named = await readLabel(file);
          if (named) fetched.label = named;
          const version = fetched.version ? Number(fetched.version) : -1;
          if (!best || version > best.version || (version === best.version && st.mtimeMs > best.mtime)) {
            best = { fetched, version, mtime: st.mtimeMs };
          }
        } catch (err) {
          // One bad file (say, an expired bundle) must not hide a good one beside it.
          if (!(err instanceof VerifyError) && !(err instanceof FetchError)) throw err;
          lastError = err;
        }
      }
      if (!best) throw lastError ?? new FetchError(`${dir}: no usable upload`);
      best.fetched.token = token;
      return best.fetched;
    },
    () => answers(() => access(dir).then(() => true)),
  );
}
