// An access refusal from server/auth in the reader's language: its code is a catalogue key, its params fill it.
import type { AccessError } from '../auth/access-error.ts';
import type { Translator } from './i18n/index.ts';

/** Refusals that count something (`{n}`) are plural keys, so Russian says 12 символов and 21 символа. */
export function refusalText(tr: Pick<Translator, 't' | 'tn'>, err: AccessError): string {
  const key = `access.${err.code}`;
  const n = err.params.n;
  return typeof n === 'number' ? tr.tn(key, n, err.params) : tr.t(key, err.params);
}
