// Checks a git fetch's pack before isomorphic-git unpacks it: declared object sizes against the limits, nothing inflated past them.
import { inflateSync } from 'node:zlib';
import { FetchError, type FetchLimits } from './types.ts';

export type PackLimits = Pick<FetchLimits, 'maxObjectBytes' | 'maxTotalBytes' | 'maxFiles'>;

const TYPES = ['', 'commit', 'tree', 'blob', 'tag', '', 'delta', 'delta'] as const;
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** A size or offset varint longer than this is past any number a pack of ours can hold. */
const MAX_VARINT_BYTES = 10;

/**
 * Most objects a depth-1 fetch of a tree within the limits can need: the commit, at most one tree per file
 * (a git tree is never empty) and one blob per file, and a little room for a tag.
 */
export function maxPackObjects(limits: Pick<FetchLimits, 'maxFiles'>): number {
  return 2 * limits.maxFiles + 16;
}

/**
 * Most pkt-lines accepted in one answer. isomorphic-git turns each line into objects of its own: measured,
 * a 5.7 MB answer of a million one-byte progress lines took it to 234 MB and 35 s. A pack comes in 64 KB
 * lines and git sends a few hundred progress lines, so real answers are far below these.
 */
export const MAX_ANSWER_LINES = 100_000;
/** Lines outside the side-band in a fetch's answer: shallow, ACK and NAK lines, one or a few each. */
const MAX_CONTROL_LINES = 1_000;
/** Pack bytes per side-band-64k line: 65520 less the length and the channel byte. */
const SIDEBAND_DATA = 65_515;

/** Each pkt-line of `body` (null for a flush or delim), as isomorphic-git frames them; refuses bad framing. */
function eachPktLine(
  body: Buffer,
  label: string,
  maxLines: number,
  fn: (line: Buffer | null, raw: Buffer) => boolean | undefined,
): void {
  let off = 0;
  let lines = 0;
  while (off < body.length) {
    if (++lines > maxLines) {
      throw new FetchError(
        `${label}: the server's answer comes in more than ${maxLines} pieces (pkt-lines); refused`,
      );
    }
    const hex = body.toString('latin1', off, off + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
      throw new FetchError(`${label}: the server's answer is not git pkt-line framing at byte ${off}`);
    }
    const length = Number.parseInt(hex, 16);
    if (length === 0 || length === 1) {
      if (fn(null, body.subarray(off, off + 4))) return;
      off += 4;
      continue;
    }
    if (length < 4 || off + length > body.length) {
      throw new FetchError(`${label}: the server's answer is cut short or garbled at byte ${off}`);
    }
    if (fn(body.subarray(off + 4, off + length), body.subarray(off, off + length))) return;
    off += length;
  }
}

/**
 * Splits a fetch's upload-pack answer into its pack (side-band channel 1) and the same answer re-framed for
 * isomorphic-git: its protocol lines, the pack in full 64 KB lines, a server error if there was one, and no
 * progress. So what isomorphic-git parses is bounded by the pack's size, not by how finely a server cut it.
 */
export function reframeUploadPack(body: Buffer, label: string): { pack: Buffer; answer: Buffer } {
  const control: Buffer[] = [];
  const pack = Buffer.allocUnsafe(body.length);
  let size = 0;
  let error: Buffer | undefined;
  eachPktLine(body, label, MAX_ANSWER_LINES, (line, raw) => {
    if (line === null) return undefined;
    if (line[0] === 1) size += line.copy(pack, size, 1);
    else if (line[0] === 3)
      error = raw; // the server's fatal error: isomorphic-git reports it and unpacks nothing
    else if (line[0] !== 2) {
      if (control.length >= MAX_CONTROL_LINES) {
        throw new FetchError(
          `${label}: the server's answer has more than ${MAX_CONTROL_LINES} protocol lines`,
        );
      }
      control.push(raw);
    }
    return error !== undefined;
  });
  const out = [...control];
  for (let at = 0; at < size; at += SIDEBAND_DATA) {
    const data = pack.subarray(at, Math.min(size, at + SIDEBAND_DATA));
    out.push(Buffer.from((data.length + 5).toString(16).padStart(4, '0'), 'latin1'), Buffer.from([1]), data);
  }
  if (error) out.push(error);
  out.push(Buffer.from('0000', 'latin1'));
  return { pack: pack.subarray(0, size), answer: Buffer.concat(out) };
}

/** A little-endian base-128 number (object size, delta sizes) read with arithmetic, so no size wraps at 2^32. */
function varint(buf: Buffer, at: number, first: number, firstBits: number): { value: number; next: number } {
  let value = first;
  let scale = 2 ** firstBits;
  let pos = at;
  let byte = 0x80;
  while (byte & 0x80) {
    if (pos >= buf.length || pos - at >= MAX_VARINT_BYTES)
      return { value: Number.POSITIVE_INFINITY, next: pos };
    byte = buf[pos++] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
  }
  return { value, next: pos };
}

function describe(type: number): string {
  return type === OFS_DELTA || type === REF_DELTA ? 'a delta' : `a ${TYPES[type]}`;
}

/**
 * Walks every object of `pack` and refuses, before any object is inflated past its declared size:
 * more objects than a tree within the limits needs, any object (or delta result) over `maxObjectBytes`,
 * and objects totalling more than `maxTotalBytes`. Inflating here is capped at each declared size, which
 * is also what keeps isomorphic-git's own unpacking (it trusts the declared sizes) inside the limits.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a bounded parser of the git pack format: one branch per object type and limit.
export function checkPack(pack: Buffer, label: string, limits: PackLimits): void {
  if (pack.length === 0) return;
  if (pack.length < 12 || pack.toString('latin1', 0, 4) !== 'PACK' || pack.readUInt32BE(4) !== 2) {
    throw new FetchError(`${label}: the server sent something that is not a version 2 git pack`);
  }
  const count = pack.readUInt32BE(8);
  const maxObjects = maxPackObjects(limits);
  if (count > maxObjects) {
    throw new FetchError(
      `${label}: the pack holds ${count} objects, more than the ${maxObjects} a tree of at most ${limits.maxFiles} files needs`,
    );
  }
  const tooBig = (what: string, size: number, offset: number) =>
    new FetchError(
      `${label}: the repository holds ${what} of ${size} bytes (pack object at offset ${offset}), over the ${limits.maxObjectBytes}-byte limit per file; refused before unpacking it`,
    );
  let total = 0;
  let off = 12;
  for (let i = 0; i < count; i++) {
    const at = off;
    if (off >= pack.length)
      throw new FetchError(`${label}: the pack is truncated (object ${i + 1} of ${count})`);
    const head = pack[off++] as number;
    const type = (head >> 4) & 7;
    let size = head & 15;
    if (head & 0x80) ({ value: size, next: off } = varint(pack, off, size, 4));
    if (!TYPES[type]) throw new FetchError(`${label}: pack object at offset ${at} has unknown type ${type}`);
    if (size > limits.maxObjectBytes) throw tooBig(describe(type), size, at);
    if (type === OFS_DELTA) {
      const base = off;
      while (off < pack.length && (pack[off] as number) & 0x80 && off - base < MAX_VARINT_BYTES) off++;
      off++;
    } else if (type === REF_DELTA) off += 20;
    let data: Buffer;
    let used: number;
    try {
      // One byte more than declared, so an object that inflates past its declared size is caught, not grown.
      const r = inflateSync(pack.subarray(off), { info: true, maxOutputLength: size + 1 }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      data = r.buffer;
      used = r.engine.bytesWritten;
    } catch (err) {
      throw new FetchError(
        `${label}: pack object at offset ${at} does not inflate to its declared ${size} bytes (${(err as Error).message})`,
        { cause: err },
      );
    }
    if (data.length !== size) {
      throw new FetchError(
        `${label}: pack object at offset ${at} inflates to ${data.length} bytes, not its declared ${size}`,
      );
    }
    off += used;
    let objectBytes = size;
    if (type === OFS_DELTA || type === REF_DELTA) {
      // A delta starts with the size of its base, then the size of the object it rebuilds: that one counts.
      const base = varint(data, 0, 0, 0);
      objectBytes = varint(data, base.next, 0, 0).value;
      if (objectBytes > limits.maxObjectBytes) throw tooBig('a delta-encoded object', objectBytes, at);
    }
    total += objectBytes;
    if (total > limits.maxTotalBytes) {
      throw new FetchError(
        `${label}: the pack's objects come to more than ${limits.maxTotalBytes} bytes (at offset ${at}); refused before unpacking`,
      );
    }
  }
}
