// Template rendering: Eta with auto-escaping; pages wrap a view in the layout, fragments render alone.
import path from 'node:path';
import { Eta } from 'eta';
import type { Response } from 'express';
import * as fmt from './format.ts';

export interface Views {
  render(name: string, data: object): string;
  page(name: string, data: object, res: Response): string;
}

export interface LayoutInfo {
  nodeName: string;
  demo: { reason: string } | null;
}

export function createViews(
  info: LayoutInfo,
  dir = path.resolve(import.meta.dirname, '..', '..', 'views'),
): Views {
  const eta = new Eta({ views: dir, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });
  const render = (name: string, data: object) => eta.render(`./${name}`, { base: '', ...data, fmt });
  return {
    render,
    page(name, data, res) {
      const common = { ...info, csrfToken: res.locals.csrfToken as string, ...data };
      return render('layout', { ...common, body: render(name, common) });
    },
  };
}
