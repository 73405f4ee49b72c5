// Records every module a process loads, written at exit to the file OUTPOST_TEST_MODULE_LOG names (one URL a
// line): `node --import ./test/support/module-log.ts …`, for tests that check what a command loads. Node's own
// modules are listed as `node:<id>` from process.moduleLoadList, internal ones included, however they were
// reached (an import, a require, process.getBuiltinModule or another built-in).
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.OUTPOST_TEST_MODULE_LOG;
if (file) {
  const urls: string[] = [];
  registerHooks({
    load(url, context, next) {
      urls.push(url);
      return next(url, context);
    },
  });
  process.on('exit', () => {
    const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `node:${m.slice('NativeModule '.length)}`);
    writeFileSync(file, [...urls, ...builtins].join('\n'));
  });
}
