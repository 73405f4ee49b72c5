// Process-wide second wall against prototype pollution: once every module is loaded, the shared prototypes
// are frozen, so a write through `__proto__` (or any gadget reaching Object.prototype) fails instead of
// changing how every object in the process behaves (a polluted `execArgv` once ran code in a worker).

/**
 * Names that libraries give their own objects and classes (`Foo.prototype.toString = …`, `this.push = …`).
 * Plainly frozen, these would break them: assigning a name that an inherited, non-writable property holds
 * throws in strict code (JavaScript's "override mistake"; MQTT.js's buffer list does it). For these names the
 * prototype keeps the value behind a getter, and an assignment on any other object defines that object's own
 * property instead — the shared prototype itself still cannot change.
 */
const OVERRIDABLE: [object, string[]][] = [
  [
    Object.prototype,
    [
      'constructor',
      'hasOwnProperty',
      'isPrototypeOf',
      'propertyIsEnumerable',
      'toLocaleString',
      'toString',
      'valueOf',
    ],
  ],
  [Array.prototype, ['toString', 'push', 'concat']],
  [Function.prototype, ['constructor', 'bind', 'name', 'toString', 'apply', 'call']],
];

function tameOverrides(proto: object, names: string[]): void {
  for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !('value' in d)) continue;
    const value: unknown = d.value;
    Object.defineProperty(proto, name, {
      get: () => value,
      set(this: object, v: unknown) {
        if (this === proto) throw new TypeError(`${name} of a shared prototype cannot be changed`);
        Object.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
      },
      enumerable: d.enumerable ?? false,
      configurable: false,
    });
  }
}

export function freezePrototypes(): void {
  for (const [proto, names] of OVERRIDABLE) {
    if (Object.isFrozen(proto)) continue;
    tameOverrides(proto, names);
    Object.freeze(proto);
  }
}
