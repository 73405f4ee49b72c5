// `outpost user …` and `outpost kiosk-token …`: console accounts from a shell on the node, for recovery too.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { PRODUCTION_COST } from '../auth/password.ts';
import { createAccessService } from '../auth/service.ts';
import { type Actor, isRole, ROLES } from '../auth/users.ts';
import { loadConfig, parseDuration } from '../config.ts';
import { openDb } from '../db/open.ts';
import { type Command, out, UsageError } from './io.ts';

/** Where a command reads its settings and the password from (tests pass their own). */
export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdin?: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  out?: (line: string) => void;
}

/** Shell access to the data directory is already root-equivalent: the CLI opens the store directly. */
function withAccess<T>(
  io: CliIo,
  fn: (access: ReturnType<typeof createAccessService>) => Promise<T> | T,
): Promise<T> {
  const config = loadConfig(io.env);
  const db = openDb(config.dataDir, { initEmpty: config.initEmptyDb });
  const access = createAccessService({
    db,
    log: pino({ level: 'silent' }),
    sessionIdleMs: config.access.sessionIdleMs,
    sessionMaxMs: config.access.sessionMaxMs,
    cost: PRODUCTION_COST,
  });
  return Promise.resolve()
    .then(() => fn(access))
    .finally(() => db.close());
}

const cliActor = (): Actor => ({ name: `cli:${userInfo().username}`, role: 'cli', source: 'cli' });

/** The password from stdin, without the newline `echo` or a here-string adds. Never from argv (ps, history). */
async function passwordFromStdin(io: CliIo): Promise<string> {
  const stdin = io.stdin ?? process.stdin;
  if (stdin.isTTY) process.stderr.write('password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!text) throw new UsageError('no password on stdin');
  return text;
}

const USAGE = `user add <name> --role viewer|operator|admin --password-stdin [--expires 8h]
       user passwd <name> --password-stdin
       user role <name> viewer|operator|admin
       user expire <name> --expires 8h|never
       user unlock <name>
       user list [--json]
       user remove <name>`;

function requireStdinFlag(values: { 'password-stdin'?: boolean }): void {
  if (!values['password-stdin']) {
    throw new UsageError(
      'give the password on stdin with --password-stdin (never as an argument: it would show in ps and the shell history)',
    );
  }
}

/** `outpost user …`; exit code 0, or throws a UsageError / AccessError with the reason. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one switch over the user subcommands, each case a few lines; split, the usage and its cases no longer read together.
export async function runUser(args: string[], io: CliIo = {}): Promise<number> {
  const [sub, ...rest] = args;
  const print = io.out ?? out;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const name = positionals[0];
  switch (sub) {
    case 'add': {
      if (!name) throw new UsageError(`user add needs a name\n${USAGE}`);
      if (!isRole(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const role = values.role;
      requireStdinFlag(values);
      const expiresAt = values.expires ? new Date(Date.now() + parseDuration(values.expires)) : null;
      const password = await passwordFromStdin(io);
      await withAccess(io, (a) => a.users.add({ name, role, password, expiresAt }, cliActor()));
      print(`added ${name} (${role})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}`);
      return 0;
    }
    case 'passwd': {
      if (!name) throw new UsageError(`user passwd needs a name\n${USAGE}`);
      requireStdinFlag(values);
      const password = await passwordFromStdin(io);
      await withAccess(io, (a) => a.users.setPassword(name, password, cliActor()));
      print(
        `password of ${name} changed; their sessions have ended and their sign-in failures are forgotten`,
      );
      return 0;
    }
    case 'role': {
      const role = positionals[1];
      if (!name || !isRole(role))
        throw new UsageError(`user role needs a name and one of ${ROLES.join(', ')}`);
      await withAccess(io, (a) => a.users.setRole(name, role, cliActor()));
      print(`${name} is now ${role}; their sessions have ended`);
      return 0;
    }
    case 'expire': {
      if (!name || !values.expires) throw new UsageError(`user expire needs a name and --expires\n${USAGE}`);
      const expiresAt =
        values.expires === 'never' ? null : new Date(Date.now() + parseDuration(values.expires));
      await withAccess(io, (a) => a.users.setExpiry(name, expiresAt, cliActor()));
      print(
        `${name} ${expiresAt ? `expires ${expiresAt.toISOString()}` : 'never expires'}; their sessions have ended`,
      );
      return 0;
    }
    case 'unlock': {
      if (!name) throw new UsageError(`user unlock needs a name\n${USAGE}`);
      await withAccess(io, (a) => a.users.unlock(name, cliActor()));
      print(`sign-in failures of ${name} forgotten; they can sign in at once from any address`);
      return 0;
    }
    case 'list': {
      const users = await withAccess(io, (a) => a.users.list());
      if (values.json) print(JSON.stringify(users, null, 2));
      else if (users.length === 0)
        print('no users yet (first run: open /setup with the enrollment code from the log)');
      else
        for (const u of users) {
          print(
            `${u.name.padEnd(24)} ${u.role.padEnd(9)} ${u.expiresAt ? `expires ${u.expiresAt.toISOString()}` : ''}`.trimEnd(),
          );
        }
      return 0;
    }
    case 'remove': {
      if (!name) throw new UsageError(`user remove needs a name\n${USAGE}`);
      await withAccess(io, (a) => a.users.remove(name, cliActor()));
      print(`removed ${name}; their sessions have ended`);
      return 0;
    }
    default:
      throw new UsageError(`unknown user command "${sub ?? ''}"\n${USAGE}`);
  }
}

export const userCommand: Command = {
  run: (args) => runUser(args),
};

/** `outpost kiosk-token …`: the token is printed once; only its hash is stored. */
export async function runKioskToken(args: string[], io: CliIo = {}): Promise<number> {
  const [sub, name] = args;
  const print = io.out ?? out;
  switch (sub) {
    case 'create': {
      if (!name) throw new UsageError('kiosk-token create needs a name, e.g. "hall-screen"');
      const token = await withAccess(io, (a) => a.createKioskToken(name, cliActor().name));
      print(token);
      if (!io.out) {
        process.stderr.write(
          `Open <console>/kiosk?token=${token} once on the screen; it keeps the token in a cookie.\n`,
        );
      }
      return 0;
    }
    case 'list': {
      const tokens = await withAccess(io, (a) => a.listKioskTokens());
      for (const t of tokens)
        print(`${t.name.padEnd(24)} created ${t.createdAt.toISOString()} by ${t.createdBy}`);
      return 0;
    }
    case 'revoke': {
      if (!name) throw new UsageError('kiosk-token revoke needs a name');
      const gone = await withAccess(io, (a) => a.revokeKioskToken(name, cliActor().name));
      if (!gone) throw new UsageError(`there is no kiosk token named "${name}"`);
      print(`revoked ${name}`);
      return 0;
    }
    default:
      throw new UsageError('usage: outpost kiosk-token create <name> | list | revoke <name>');
  }
}

export const kioskTokenCommand: Command = {
  run: (args) => runKioskToken(args),
};
