// The frozen prototypes: no write reaches Object, Array or Function prototypes, while libraries that give
// their own classes and objects a toString, constructor or push still work (checked in a child process:
// freezing is for the whole process).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const HARDEN = path.resolve(import.meta.dirname, '..', '..', 'server', 'harden.ts');

function inFrozenProcess(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `import { freezePrototypes } from ${JSON.stringify(HARDEN)};\nfreezePrototypes();\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('after freezing, nothing can be added to or changed on the shared prototypes', () => {
  const r = inFrozenProcess(`
    'use strict';
    const attempts = {
      pollute: () => { ({}).__proto__.polluted = 'yes'; },
      viaMerge: () => { const o = JSON.parse('{"__proto__": {"x": 1}}'); Object.assign(Object.prototype, o.__proto__); },
      toString: () => { Object.prototype.toString = () => 'owned'; },
      arrayPush: () => { Array.prototype.push = () => 0; },
      execArgv: () => { Object.prototype.execArgv = ['--import=data:,x']; },
      defineOnProto: () => { Object.defineProperty(Object.prototype, 'env', { value: {} }); },
      functionBind: () => { Function.prototype.bind = null; },
    };
    const failed = Object.entries(attempts).filter(([, f]) => { try { f(); return false; } catch { return true; } }).map(([k]) => k);
    console.log(JSON.stringify({ failed, polluted: ({}).polluted, execArgv: ({}).execArgv, str: String({}) }));
  `);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    failed: string[];
    polluted?: string;
    execArgv?: unknown;
    str: string;
  };
  assert.deepEqual(out.failed, [
    'pollute',
    'viaMerge',
    'toString',
    'arrayPush',
    'execArgv',
    'defineOnProto',
    'functionBind',
  ]);
  assert.equal(out.polluted, undefined);
  assert.equal(out.execArgv, undefined);
  assert.equal(out.str, '[object Object]');
});

test('after freezing, a class or object may still define its own toString, constructor, valueOf or push', () => {
  const r = inFrozenProcess(`
    'use strict';
    function BufferList() {}
    BufferList.prototype.toString = function () { return 'buffers'; };
    BufferList.prototype.constructor = BufferList;
    const o = {};
    o.valueOf = () => 42;
    const a = [];
    a.push = function (x) { return Array.prototype.push.call(this, x * 2); };
    a.push(2);
    const f = function named() {};
    console.log(JSON.stringify({ bl: String(new BufferList()), v: +o, a, own: Object.hasOwn(o, 'valueOf'), plain: String({}), name: f.name }));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    bl: 'buffers',
    v: 42,
    a: [4],
    own: true,
    plain: '[object Object]',
    name: 'named',
  });
});
