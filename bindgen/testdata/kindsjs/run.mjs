// Runs the cases of cases.json against a transpiled kinds component:
//   node run.mjs COMPONENT.js cases.json
// Each case is a JS expression over the component's exports (m: the module,
// api: its test:kinds/api export, types: test:kinds/types); its value (or
// the payload it throws) is printed as "name<TAB>JSON", with bigints as
// "123n" and byte arrays as arrays.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const m = await import(pathToFileURL(resolve(process.argv[2])).href);
const api = m['test:kinds/api@0.1.0'];
const types = m['test:kinds/types@0.1.0'];
const cases = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const show = (v) => JSON.stringify(v === undefined ? null : v, (k, x) =>
  typeof x === 'bigint' ? x.toString() + 'n' : x instanceof Uint8Array ? Array.from(x) : x);
for (const [name, expr] of cases) {
  let out;
  try {
    out = show(new Function('m', 'api', 'types', 'return (' + expr + ');')(m, api, types));
  } catch (e) {
    out = 'throws ' + show(e.payload !== undefined ? e.payload : String(e));
  }
  console.log(name + '\t' + out);
}
