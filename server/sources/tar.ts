// A small, strict tar.gz reader (ustar, pax, GNU long names; in memory) and a deterministic tar.gz writer.
import { gunzipSync, gzipSync } from 'node:zlib';
import { resolveLinks } from './links.ts';
import { FetchError, type FileTree, isReservedPath, reservedNameMessage } from './types.ts';

/** A bundle that cannot be unpacked safely; names the bundle and, where there is one, the entry. */
export class TarError extends FetchError {
  readonly entry: string | undefined;
  constructor(message: string, entry?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TarError';
    this.entry = entry;
  }
}

/** What a bundle may hold; a file's own size counts only when a render reads it (render/tree.ts). */
export interface TarLimits {
  maxFiles: number;
  maxTotalBytes: number;
}

export interface UnpackedTar {
  files: FileTree;
  /** The pax global header's `comment`, where `bundle create` records the version it was made for. */
  comment?: string;
}

const BLOCK = 512;
const TYPE_NAMES = new Map([
  ['1', 'a hard link'],
  ['3', 'a character device'],
  ['4', 'a block device'],
  ['6', 'a named pipe (fifo)'],
]);

function cstr(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function numeric(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  // GNU base-256: high bit set on the first byte (only for huge or negative values).
  if ((field[0] as number) & 0x80) {
    if ((field[0] as number) & 0x40) return -1;
    let n = (field[0] as number) & 0x3f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  const text = cstr(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return -1;
  return Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
  return stored === sum;
}

function parsePax(data: Buffer, label: string): Record<string, string> {
  // Keys come from the archive: no prototype, so `path` or `size` can only be what the archive says.
  const out: Record<string, string> = Object.create(null);
  let off = 0;
  while (off < data.length) {
    const space = data.indexOf(0x20, off);
    const len = space > off ? Number(data.subarray(off, space).toString('latin1')) : Number.NaN;
    if (!Number.isInteger(len) || len <= 0 || off + len > data.length) {
      throw new TarError(`bundle ${label}: corrupt pax extended header`);
    }
    const record = data.subarray(space + 1, off + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    off += len;
  }
  return out;
}

/** Normalizes an entry name to a tree path; null for the archive root ("." or "./"). */
function entryPath(name: string, label: string): string | null {
  if (name.startsWith('/')) {
    throw new TarError(`bundle ${label}: entry "${name}" is an absolute path`, name);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new TarError(`bundle ${label}: entry "${name}" points outside the bundle (contains "..")`, name);
  }
  return parts.length === 0 ? null : parts.join('/');
}

/**
 * Unpacks a tar.gz in memory, refusing anything that is not a plain file or folder inside the bundle, and
 * stopping at the limits before they are exceeded (including a small download that unpacks huge).
 */
export function readTarGz(gz: Buffer, label: string, limits: TarLimits): UnpackedTar {
  // Room for the content plus a header per file and padding: more than this is not a fleet bundle.
  const maxTar = limits.maxTotalBytes + (limits.maxFiles + 16) * 2 * BLOCK + 1024 * 1024;
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: maxTar });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new TarError(`bundle ${label}: unpacks to more than ${maxTar} bytes (refused)`, undefined, {
        cause: err,
      });
    }
    throw new TarError(`bundle ${label}: not a readable gzip file (${(err as Error).message})`, undefined, {
      cause: err,
    });
  }
  return readTar(tar, label, limits);
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a bounded parser of the tar format: one branch per header type and limit.
export function readTar(tar: Buffer, label: string, limits: TarLimits): UnpackedTar {
  const files: FileTree = {};
  let comment: string | undefined;
  let count = 0;
  let total = 0;
  let pax: Record<string, string> = Object.create(null);
  let longName: string | undefined;
  let longLink: string | undefined;
  const links = new Map<string, string>();
  let off = 0;
  let ended = false;
  while (off + BLOCK <= tar.length) {
    const header = tar.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const rawName = cstr(header, 0, 100);
    if (!checksumOk(header)) {
      throw new TarError(
        `bundle ${label}: header of entry "${rawName}" at byte ${off} is damaged (checksum mismatch)`,
        rawName,
      );
    }
    const isUstar = header.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = isUstar ? cstr(header, 345, 155) : '';
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    const size = pax.size !== undefined ? Number(pax.size) : numeric(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new TarError(`bundle ${label}: entry "${name}" has an invalid size`, name);
    }
    const type = String.fromCharCode(header[156] as number);
    const start = off + BLOCK;
    if (start + size > tar.length) {
      throw new TarError(`bundle ${label}: archive is truncated inside entry "${name}"`, name);
    }
    const data = tar.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x') {
      pax = parsePax(data, label);
      continue;
    }
    if (type === 'g') {
      comment = parsePax(data, label).comment ?? comment;
      continue;
    }
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'K') {
      longLink = cstr(data, 0, data.length);
      continue;
    }
    const linkTarget = pax.linkpath ?? longLink ?? cstr(header, 157, 100);
    pax = Object.create(null);
    longName = undefined;
    longLink = undefined;

    const special = TYPE_NAMES.get(type);
    if (special) {
      throw new TarError(
        `bundle ${label}: entry "${name}" is ${special}, which bundles may not contain`,
        name,
      );
    }
    const treePath = entryPath(name, label);
    if (type === '5') continue; // folders are implied by the files in them
    if (type !== '0' && type !== '\0' && type !== '7' && type !== '2') {
      throw new TarError(`bundle ${label}: entry "${name}" has unsupported tar type "${type}"`, name);
    }
    if (treePath === null) {
      throw new TarError(`bundle ${label}: entry "${name}" is a file where the bundle root should be`, name);
    }
    if (isReservedPath(treePath)) {
      throw new TarError(`bundle ${label}: entry ${reservedNameMessage(name)}`, name);
    }
    if (type === '2') {
      // Followed after the whole archive is read, when it points inside the bundle (links.ts).
      links.set(treePath, linkTarget);
      continue;
    }
    if (Object.hasOwn(files, treePath)) {
      throw new TarError(`bundle ${label}: entry "${name}" appears twice`, name);
    }
    if (++count > limits.maxFiles) {
      throw new TarError(`bundle ${label}: more than ${limits.maxFiles} files (limit reached at "${name}")`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new TarError(
        `bundle ${label}: more than ${limits.maxTotalBytes} bytes of files (limit reached at "${name}")`,
      );
    }
    // Bytes: only the files a build reads are decoded (render/tree.ts).
    files[treePath] = Buffer.from(data);
  }
  if (!ended && off < tar.length) {
    throw new TarError(`bundle ${label}: archive is truncated (a header is cut short at byte ${off})`);
  }
  resolveLinks(files, links, `bundle ${label}`, limits.maxFiles, (message) => new TarError(message));
  return comment === undefined ? { files } : { files, comment };
}

// ---- writer ----

function octal(value: number, len: number): string {
  return `${value.toString(8).padStart(len - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1'); // uid
  h.write(octal(0, 8), 116, 'latin1'); // gid
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1'); // mtime: 0, so the same files always make the same bytes
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  // The length prefix counts its own digits.
  let total = bodyLen;
  while (String(total).length + bodyLen !== total) total++;
  return `${total}${body}`;
}

function padded(data: Buffer): Buffer[] {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return pad ? [data, Buffer.alloc(pad)] : [data];
}

function entry(out: Buffer[], name: string, type: string, data: Buffer, mode: number): void {
  if (Buffer.byteLength(name) > 100) {
    // Too long for the ustar name field: a pax header carries the real path (every tar reads it).
    const pax = Buffer.from(paxRecord('path', name), 'utf8');
    out.push(header(`PaxHeader/${name.slice(-80)}`.slice(0, 100), 'x', pax.length, 0o644), ...padded(pax));
    name = name.slice(0, 100);
  }
  out.push(header(name, type, data.length, mode), ...padded(data));
}

/**
 * A deterministic tar.gz of `files`: sorted entries, folders first in path order, mtime 0, uid/gid 0.
 * `comment` goes into a pax global header (`bundle create` records the bundle version there).
 */
export function writeTarGz(files: Record<string, string | Uint8Array>, comment?: string): Buffer {
  const out: Buffer[] = [];
  if (comment !== undefined) {
    const pax = Buffer.from(paxRecord('comment', comment), 'utf8');
    out.push(header('pax_global_header', 'g', pax.length, 0o644), ...padded(pax));
  }
  const names = Object.keys(files).sort();
  const dirs = new Set<string>();
  for (const n of names) {
    const parts = n.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const all = [...names.map((n) => ({ n, dir: false })), ...[...dirs].map((n) => ({ n, dir: true }))];
  all.sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  for (const { n, dir } of all) {
    if (dir) entry(out, `${n}/`, '5', Buffer.alloc(0), 0o755);
    else {
      const content = files[n] as string | Uint8Array;
      entry(
        out,
        n,
        '0',
        typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content),
        0o644,
      );
    }
  }
  out.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(out), { level: 9 });
}
