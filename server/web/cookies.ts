// The one reader of the Cookie header: bounded, never throws, bad encodings ignored, no prototype keys.
import type { IncomingMessage } from 'node:http';

/** Cookies beyond this many characters of the header are not read (Node caps all headers at 16 KB). */
export const MAX_COOKIE_HEADER = 8192;
/** At most this many cookies are read; the console sets four. */
export const MAX_COOKIES = 64;

/** A cookie name is an RFC 6265 token: no separators, no controls, no spaces. */
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The cookies of one header, name → decoded value. The first of two cookies with one name wins (the browser
 * sends the most specific path first). A value that is not valid percent-encoding, an invalid name, and a pair
 * cut off by the length cap are skipped; nothing here throws, whatever the header holds.
 */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  if (typeof header !== 'string' || header === '') return cookies;
  const pairs = header.slice(0, MAX_COOKIE_HEADER).split(';');
  // A pair running past the cap is incomplete: its value would be a different one.
  if (header.length > MAX_COOKIE_HEADER) pairs.pop();
  for (const pair of pairs) {
    if (cookies.size >= MAX_COOKIES) break;
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!NAME.test(name) || cookies.has(name)) continue;
    let raw = pair.slice(eq + 1).trim();
    if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1);
    const value = decodeValue(raw);
    if (value !== null) cookies.set(name, value);
  }
  return cookies;
}

/** A percent-encoded cookie value, decoded; null when it is not valid percent-encoding of UTF-8. */
function decodeValue(raw: string): string | null {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

const parsed = new WeakMap<IncomingMessage, ReadonlyMap<string, string>>();

/** One cookie of a request (the header is parsed once per request), or null. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  let cookies = parsed.get(req);
  if (!cookies) {
    cookies = parseCookies(req.headers.cookie);
    parsed.set(req, cookies);
  }
  return cookies.get(name) ?? null;
}
