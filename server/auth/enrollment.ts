// First run: with no admin, open a one-time enrollment code (from a Secret file, or generated) and log it.
import type { Logger } from 'pino';
import { readSecretFile } from './secrets.ts';
import type { AccessService } from './service.ts';

/**
 * Called by main.ts at start. Does nothing once an admin exists. Otherwise replaces any earlier code (only the
 * newest works), and logs where to use it: the generated code itself, or that the file's code is in effect.
 */
/**
 * The first-run instructions as a framed block a person finds in a scrolling log (on stderr, apart from the JSON
 * log lines): where to go, the code, how long it holds.
 */
export function enrollmentBanner(
  setupUrl: string,
  code: string | null,
  codeFile: string | undefined,
  minutes: number,
): string {
  const lines = [
    'FIRST RUN: no administrator yet',
    '',
    `Open:             ${setupUrl}`,
    code ? `Enrollment code:  ${code}` : `Enrollment code:  in ${codeFile}`,
    '',
    `Valid for ${minutes} min, once.${code ? ' Restart Outpost for a new one.' : ''}`,
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '═'.repeat(width + 4);
  return [`╔${rule}╗`, ...lines.map((l) => `║  ${l.padEnd(width)}  ║`), `╚${rule}╝`, ''].join('\n');
}

export function startEnrollment(
  access: AccessService,
  opts: {
    code?: string | undefined;
    codeFile?: string | undefined;
    ttlMs: number;
    setupUrl: string;
    /** Where the banner goes; stderr by default (the JSON log is on stdout). */
    print?: (text: string) => void;
  },
  log: Logger,
): { code: string; expiresAt: Date } | null {
  // A code read from the file (main.ts reads it before anything starts); else one is generated.
  const fromFile =
    opts.code ?? (opts.codeFile ? readSecretFile(opts.codeFile, 'enrollment code') : undefined);
  const opened = access.openEnrollment({ code: fromFile, ttlMs: opts.ttlMs });
  if (!opened) return null;
  const minutes = Math.round(opts.ttlMs / 60_000);
  if (fromFile) {
    log.warn(
      { setup: opts.setupUrl, expiresAt: opened.expiresAt.toISOString(), codeFile: opts.codeFile },
      `FIRST RUN: no admin yet. Open ${opts.setupUrl} and enter the enrollment code from ${opts.codeFile} ` +
        `(valid for ${minutes} min, once).`,
    );
  } else {
    log.warn(
      { setup: opts.setupUrl, enrollmentCode: opened.code, expiresAt: opened.expiresAt.toISOString() },
      `FIRST RUN: no admin yet. Open ${opts.setupUrl} and enter the enrollment code ${opened.code} ` +
        `(valid for ${minutes} min, once; restart Outpost for a new one).`,
    );
  }
  const print = opts.print ?? ((text: string) => process.stderr.write(text));
  print(`\n${enrollmentBanner(opts.setupUrl, fromFile ? null : opened.code, opts.codeFile, minutes)}\n`);
  return opened;
}
