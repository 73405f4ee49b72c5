// Records every module a process loads, written at exit to the file OUTPOST_TEST_MODULE_LOG names (one URL a
// line): `node --import ./test/support/module-log.ts …`, for tests that check what a command loads.
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
  process.on('exit', () => writeFileSync(file, urls.join('\n')));
}
