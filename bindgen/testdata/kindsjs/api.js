// The imports of the world test:kinds/kinds for jco, as the Go tests serve
// them: every echo returns its arguments.
import { Counter } from './types.js';
export const echoScalars = (a) => a;
export const echoString = (s) => s;
export const echoBytes = (b) => b;
export const echoPoint = (p) => p;
export const echoShape = (s) => s;
export const echoNested = (n) => n;
export const echoList = (l) => l;
export const echoOption = (o) => o;
export const echoTuple = (t) => t;
export const echoColor = (c, p) => [c, p];
export const echoChar = (c) => c;
export const echoF32 = (x, y) => x + y;
export function check(ok) {
  if (ok) return 'fine';
  throw { tag: 'not-found', val: 'nothing here' };
}
export function checkSimple(ok) {
  if (ok) return 3;
  throw 'bad';
}
export function checkUnit(ok) {
  if (!ok) throw undefined;
}
export function checkStr(ok) {
  if (!ok) throw 'host says no';
}
export function many(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) {
  return a + b + c + d + e + f + g + h + i + j + (k + l + m + n).length + Number(o) + Math.trunc(p);
}
export const type = (func, iface, go, cm, unsafe) => func + iface.length + go + cm + unsafe;
export const nothing = () => {};
export const counterTotal = (c) => c.get();
export const takeCounter = (c) => c.get();
export const makeCounter = (n) => new Counter(n);
