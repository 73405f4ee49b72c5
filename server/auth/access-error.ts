// Refusals the technician can fix (a taken name, a short password, the last admin): a code the console translates,
// the English sentence for logs and the CLI.
import type { Problem, ProblemKind } from '../problem.ts';

export type AccessParams = Readonly<Record<string, string | number>>;

const str = (p: AccessParams, k: string) => String(p[k] ?? '');

/**
 * Every refusal by its code, with its English sentence. The console says the same from its catalogue key
 * `access.<code>` (server/web/i18n/access.ts) with the same params.
 */
export const ACCESS_MESSAGES = {
  'bad-name': () =>
    'a user name is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit',
  'bad-role': (p: AccessParams) => `the role must be one of ${str(p, 'roles')}`,
  'password-short': (p: AccessParams) => `the password needs at least ${str(p, 'n')} characters`,
  'password-long': (p: AccessParams) => `the password may have at most ${str(p, 'n')} characters`,
  'no-user': (p: AccessParams) => `there is no user "${str(p, 'name')}"`,
  'user-taken': (p: AccessParams) => `a user "${str(p, 'name')}" already exists`,
  'last-admin-demote': () => 'cannot demote the last admin: add another admin first',
  'last-admin-remove': () => 'cannot remove the last admin: add another admin first',
  'bad-expiry': () => 'the expiry is not a valid time',
  'code-short': (p: AccessParams) =>
    `the enrollment code from the file is too short: use at least ${str(p, 'n')} characters`,
  'bad-kiosk-name': () => 'a kiosk name is 1 to 64 letters, digits, dots, dashes or underscores',
  'kiosk-taken': (p: AccessParams) => `a kiosk token named "${str(p, 'name')}" already exists`,
} as const satisfies Record<string, (p: AccessParams) => string>;

export type AccessCode = keyof typeof ACCESS_MESSAGES;
export const ACCESS_CODES = Object.keys(ACCESS_MESSAGES) as AccessCode[];

/** A request the technician can fix; `code` and `params` say it in any language, `message` in English. */
export class AccessError extends Error implements Problem {
  readonly kind: ProblemKind;
  readonly code: AccessCode;
  readonly params: AccessParams;
  constructor(
    code: AccessCode,
    params: AccessParams = {},
    kind: ProblemKind = 'invalid',
    options?: { cause?: unknown },
  ) {
    super(ACCESS_MESSAGES[code](params), options);
    this.name = 'AccessError';
    this.code = code;
    this.params = params;
    this.kind = kind;
  }
}
