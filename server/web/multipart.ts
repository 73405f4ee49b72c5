// Reads a multipart/form-data upload as it streams in (busboy, linear time), within limits on every part.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

/** Why a form was refused; the route turns it into words for the page, the log keeps `message`. */
export type MultipartProblem =
  | 'not-multipart' // no multipart/form-data content type or no boundary
  | 'too-large' // a file or the whole body is over its limit
  | 'too-many-parts' // more parts, files or fields than the form has
  | 'unexpected-file' // a file field the form does not have
  | 'duplicate-file' // the same file field twice
  | 'malformed' // not valid multipart (bad part header, …)
  | 'cut-off'; // the body ended before the closing boundary, or the connection dropped

export class MultipartError extends Error {
  readonly problem: MultipartProblem;
  readonly status: 400 | 413;
  /** For 'too-large' and the file problems: the field concerned. */
  readonly field: string | undefined;
  constructor(problem: MultipartProblem, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MultipartError';
    this.problem = problem;
    this.status = problem === 'too-large' ? 413 : 400;
    this.field = options?.field;
  }
}

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export interface MultipartLimits {
  /** The file fields the form has, each with its largest size in bytes; each may be sent at most once. */
  files: Readonly<Record<string, number>>;
  /** Plain (non-file) fields are read and ignored: at most this many, each at most `fieldSize` bytes. */
  fields: number;
  fieldSize: number;
}

/** Multipart framing around the files: part headers, boundaries and the plain fields. */
const OVERHEAD = 64 * 1024;

/**
 * The files of a multipart form, by field name, read as the body streams in; a body over the limits is
 * refused as soon as it crosses them (and before reading anything when Content-Length says so already).
 * Rejects with a MultipartError; never buffers more than the file limits plus the fields.
 */
export function readMultipart(
  req: IncomingMessage,
  limits: MultipartLimits,
): Promise<Map<string, UploadedFile>> {
  const fileLimits = new Map(Object.entries(limits.files));
  const largest = Math.max(0, ...fileLimits.values());
  const bodyLimit = [...fileLimits.values()].reduce((a, b) => a + b, 0) + OVERHEAD;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bodyLimit) {
    return Promise.reject(
      new MultipartError('too-large', `upload of ${declared} bytes refused: at most ${bodyLimit} bytes`),
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: {
        fileSize: largest,
        files: fileLimits.size,
        fields: limits.fields,
        fieldSize: limits.fieldSize,
        parts: fileLimits.size + limits.fields,
        headerPairs: 16,
      },
    });
  } catch (err) {
    return Promise.reject(
      new MultipartError('not-multipart', `upload refused: ${(err as Error).message}`, { cause: err }),
    );
  }

  return new Promise((resolve, reject) => {
    const files = new Map<string, UploadedFile>();
    // Names seen, at the start of each part: a file is only in `files` once it has ended.
    const seen = new Set<string>();
    let settled = false;
    let received = 0;
    // Bytes before the first or after the last boundary are skipped by the parser, not counted: count them here.
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > bodyLimit)
        fail(new MultipartError('too-large', `upload refused: the body is over ${bodyLimit} bytes`));
    };
    const fail = (err: MultipartError) => {
      if (settled) return;
      settled = true;
      // Stop reading: the rest of the body is not wanted, and the caller answers at once.
      req.off('data', count);
      req.unpipe(parser);
      parser.removeAllListeners('file');
      reject(err);
    };

    parser.on('file', (name, stream, info) => {
      const limit = fileLimits.get(name);
      if (limit === undefined || seen.has(name)) {
        stream.resume();
        fail(
          limit === undefined
            ? new MultipartError(
                'unexpected-file',
                `upload refused: unexpected file field "${name.slice(0, 100)}"`,
                {
                  field: name,
                },
              )
            : new MultipartError('duplicate-file', `upload refused: file field "${name}" sent twice`, {
                field: name,
              }),
        );
        return;
      }
      seen.add(name);
      const chunks: Buffer[] = [];
      let size = 0;
      const tooLarge = () =>
        fail(
          new MultipartError('too-large', `upload refused: file field "${name}" is over ${limit} bytes`, {
            field: name,
          }),
        );
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          stream.resume();
          tooLarge();
          return;
        }
        chunks.push(chunk);
      });
      stream.on('limit', tooLarge);
      stream.on('end', () => {
        if (!settled) files.set(name, { filename: info.filename ?? '', data: Buffer.concat(chunks, size) });
      });
      // An error on the file stream (body cut off inside it) is reported by the parser's own 'error'.
      stream.on('error', () => {});
    });
    parser.on('field', (name, _value, info) => {
      if (info.valueTruncated || info.nameTruncated)
        fail(new MultipartError('too-large', `upload refused: field "${name.slice(0, 100)}" is too long`));
    });
    parser.on('partsLimit', () =>
      fail(new MultipartError('too-many-parts', 'upload refused: too many parts')),
    );
    parser.on('filesLimit', () =>
      fail(new MultipartError('too-many-parts', 'upload refused: too many files')),
    );
    parser.on('fieldsLimit', () =>
      fail(new MultipartError('too-many-parts', 'upload refused: too many fields')),
    );
    parser.on('error', (err: Error) => {
      const cutOff = /unexpected end/i.test(err.message);
      fail(
        new MultipartError(cutOff ? 'cut-off' : 'malformed', `upload refused: ${err.message}`, {
          cause: err,
        }),
      );
    });
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    req.on('close', () => {
      if (!req.complete) fail(new MultipartError('cut-off', 'upload refused: the connection was closed'));
    });
    req.on('error', (err) =>
      fail(new MultipartError('cut-off', `upload refused: ${err.message}`, { cause: err })),
    );
    req.on('data', count);
    req.pipe(parser);
  });
}
