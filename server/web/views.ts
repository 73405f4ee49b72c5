// Template rendering: Eta with auto-escaping; pages wrap a view in the layout, fragments render alone.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Eta } from 'eta';
import type { Response } from 'express';
import { isSignedKind } from '../sources/kinds.ts';
import { createFormat } from './format.ts';
import { DEFAULT_LOCALE, isLocale, LANGUAGE_NAMES, LOCALES, type Locale, translator } from './i18n/index.ts';

export interface Views {
  /** A fragment alone (htmx swaps it in); with `res`, in the request's language. */
  render(name: string, data: object, res?: Response): string;
  page(name: string, data: object, res: Response): string;
  /**
   * A page or fragment rendered once per `key` (and language, path, base, variant) and reused until the key
   * changes: the per-request CSRF token is filled into the cached text, so cached pages stay per-client.
   */
  cached(kind: 'page' | 'fragment', name: string, key: string, data: () => object, res: Response): string;
}

export interface LayoutInfo {
  nodeName: string;
  demo: { reason: string } | null;
  /** True while the data volume is full: every page says so under the header. */
  storeFull?: () => boolean;
}

/** What every template gets from the request: language, CSRF token, base path, current path. */
export function requestContext(res: Response | undefined) {
  const l: Record<string, unknown> = res?.locals ?? {};
  const locale: Locale = isLocale(l.locale) ? l.locale : DEFAULT_LOCALE;
  const tr = translator(locale);
  return {
    locale,
    t: tr.t,
    tn: tr.tn,
    fmt: createFormat(tr),
    csrfToken: (l.csrfToken as string | undefined) ?? '',
    base: (l.base as string | undefined) ?? '',
    path: (l.path as string | undefined) ?? '/',
    /** The signed-in user (name, role), or null: the layout's user menu. */
    user: (l.user as { name: string; role: string } | undefined) ?? null,
    languages: LOCALES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
    /** The source vocabulary's rule, for the "unsigned" mark beside a bundle that carried no signature. */
    signedKind: isSignedKind,
  };
}

export function createViews(
  info: LayoutInfo,
  dir = path.resolve(import.meta.dirname, '..', '..', 'views'),
): Views {
  const eta = new Eta({ views: dir, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });
  // Stands in for the CSRF token inside cached text; random so no content can contain it by chance.
  const placeholder = `csrf${randomBytes(16).toString('hex')}`;
  const cache = new Map<string, { key: string; html: string }>();
  const renderWith = (name: string, data: object, ctx: ReturnType<typeof requestContext>) =>
    eta.render(`./${name}`, { ...ctx, ...data });
  const page = (name: string, data: object, ctx: ReturnType<typeof requestContext>) => {
    const common = { ...info, ...ctx, ...data };
    return renderWith('layout', { ...common, body: renderWith(name, common, ctx) }, ctx);
  };
  return {
    render: (name, data, res) => renderWith(name, data, requestContext(res)),
    page: (name, data, res) => page(name, data, requestContext(res)),
    cached(kind, name, key, data, res) {
      const ctx = requestContext(res);
      const slot = `${kind}\u0000${name}\u0000${ctx.locale}\u0000${ctx.base}\u0000${ctx.path}\u0000${res.locals.cacheVariant ?? ''}\u0000${ctx.user ? `${ctx.user.name}:${ctx.user.role}` : ''}`;
      let hit = cache.get(slot);
      if (!hit || hit.key !== key) {
        const c = { ...ctx, csrfToken: placeholder };
        hit = { key, html: kind === 'page' ? page(name, data(), c) : renderWith(name, data(), c) };
        // Bounded: cached pages have fixed paths, but never let a surprise grow this without limit.
        if (cache.size >= 64) cache.clear();
        cache.set(slot, hit);
      }
      return ctx.csrfToken
        ? hit.html.replaceAll(placeholder, ctx.csrfToken)
        : hit.html.replaceAll(placeholder, '');
    },
  };
}
