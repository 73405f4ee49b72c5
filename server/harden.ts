// Process-wide second wall against prototype pollution: once every module is loaded, the shared prototypes
// are frozen, so a write through `__proto__` (or any gadget reaching Object.prototype) fails instead of
// changing how every object in the process behaves (a polluted `execArgv` once ran code in a worker).
export function freezePrototypes(): void {
  Object.freeze(Object.prototype);
  Object.freeze(Array.prototype);
  Object.freeze(Function.prototype);
}
