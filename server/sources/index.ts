// Builds the configured source.
import type { Config } from '../config.ts';
import { dirSource } from './dir.ts';
import { FetchError, type Source } from './types.ts';

export function createSource(source: Config['source']): Source {
  switch (source.kind) {
    case 'dir':
      return dirSource(source.url);
    default:
      throw new FetchError(`source kind "${source.kind}" is not available in this version`);
  }
}
