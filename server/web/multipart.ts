// A small multipart/form-data reader for the bundle upload form: whole body in memory, capped, two files.
import type { Request } from 'express';

export interface Part {
  name: string;
  filename?: string;
  data: Buffer;
}

export class FormTooLarge extends Error {
  readonly status = 413;
}

export class BadForm extends Error {
  readonly status = 400;
}

async function readBody(req: Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new FormTooLarge(`The upload is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readMultipart(req: Request, limit: number): Promise<Part[]> {
  const type = req.headers['content-type'] ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!type.startsWith('multipart/form-data') || !boundary)
    throw new BadForm('The upload form was not sent as a file upload.');
  const body = await readBody(req, limit);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, start);
    if (headerEnd < 0 || next < 0) throw new BadForm('The upload was cut off; send it again.');
    const headers = body.subarray(start + 2, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    // The part's data ends with the CRLF that precedes the next delimiter.
    if (name)
      parts.push({
        name,
        ...(filename !== undefined ? { filename } : {}),
        data: body.subarray(headerEnd + 4, next - 2),
      });
    pos = next;
  }
  return parts;
}
