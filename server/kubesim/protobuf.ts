// Just enough Kubernetes protobuf decoding for kubectl's typed `create` commands (namespace, configmap, secret, sa).
import { ApiError } from './errors.ts';
import type { JsonObject } from './util.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { no: number; wire: number; num?: number; bytes?: Buffer };

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [v, q] = varint(buf, pos);
      out.push({ no, wire, num: v });
      pos = q;
    } else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      out.push({ no, wire, bytes: buf.subarray(q, q + len) });
      pos = q + len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

type Kind = 'string' | 'bool' | 'bytes' | 'strings' | 'map' | 'mapBytes' | Message | { repeated: Message };
interface Message {
  [no: number]: [string, Kind];
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a bounded protobuf decoder: one branch per wire type.
function decode(buf: Buffer, msg: Message): JsonObject {
  const out: JsonObject = {};
  for (const f of fields(buf)) {
    const spec = msg[f.no];
    if (!spec) continue;
    const [name, kind] = spec;
    const text = () => (f.bytes ?? Buffer.alloc(0)).toString('utf8');
    if (kind === 'string') {
      // Go encodes empty strings too; omitempty JSON would not show them.
      if (text() !== '') out[name] = text();
    } else if (kind === 'bool') out[name] = f.num === 1;
    else if (kind === 'bytes') out[name] = (f.bytes ?? Buffer.alloc(0)).toString('base64');
    else if (kind === 'strings') out[name] = [...((out[name] as string[] | undefined) ?? []), text()];
    else if (kind === 'map' || kind === 'mapBytes') {
      const entry = decode(f.bytes ?? Buffer.alloc(0), {
        1: ['k', 'string'],
        2: ['v', kind === 'map' ? 'string' : 'bytes'],
      });
      out[name] = {
        ...((out[name] as JsonObject | undefined) ?? {}),
        [String(entry.k ?? '')]: entry.v ?? '',
      };
    } else if ('repeated' in kind) {
      out[name] = [
        ...((out[name] as JsonObject[] | undefined) ?? []),
        decode(f.bytes ?? Buffer.alloc(0), kind.repeated),
      ];
    } else out[name] = decode(f.bytes ?? Buffer.alloc(0), kind);
  }
  return out;
}

const OBJECT_META: Message = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  6: ['resourceVersion', 'string'],
  11: ['labels', 'map'],
  12: ['annotations', 'map'],
  14: ['finalizers', 'strings'],
};

const KINDS: Record<string, Message> = {
  ConfigMap: {
    1: ['metadata', OBJECT_META],
    2: ['data', 'map'],
    3: ['binaryData', 'mapBytes'],
    4: ['immutable', 'bool'],
  },
  Secret: {
    1: ['metadata', OBJECT_META],
    2: ['data', 'mapBytes'],
    3: ['type', 'string'],
    4: ['stringData', 'map'],
    5: ['immutable', 'bool'],
  },
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'strings'] }] },
  ServiceAccount: {
    1: ['metadata', OBJECT_META],
    3: ['imagePullSecrets', { repeated: { 1: ['name', 'string'] } }],
    4: ['automountServiceAccountToken', 'bool'],
  },
};

export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]?.trim() === 'application/vnd.kubernetes.protobuf';
}

/** Decodes a `k8s\0`-framed runtime.Unknown holding one of the few kinds kubectl creates with protobuf. */
export function decodeProtobuf(body: Buffer): JsonObject {
  const unsupported = (why: string) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${why})`,
    );
  if (!body.subarray(0, 4).equals(MAGIC)) throw unsupported('no protobuf envelope');
  const unknown = decode(body.subarray(4), {
    1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }],
    2: ['raw', 'bytes'],
  });
  const typeMeta = (unknown.typeMeta ?? {}) as JsonObject;
  const kind = String(typeMeta.kind ?? '');
  const msg = KINDS[kind];
  if (!msg || typeMeta.apiVersion !== 'v1') {
    throw unsupported(
      `the simulator decodes protobuf only for v1 ${Object.keys(KINDS).join(', ')}; send JSON`,
    );
  }
  const obj = decode(Buffer.from(String(unknown.raw ?? ''), 'base64'), msg);
  return { apiVersion: 'v1', kind, ...obj };
}
