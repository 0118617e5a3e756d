// A test guest for the WASI 0.2 host, built with componentize-js (through
// jco componentize): one command whose first argument picks what it does.
import { getArguments, getEnvironment } from 'wasi:cli/environment@0.2.10';
import { getDirectories } from 'wasi:filesystem/preopens@0.2.10';

function files(dir) {
  const pre = getDirectories().find(([, name]) => name === dir);
  if (!pre) throw new Error(`no preopen ${dir}`);
  const d = pre[0];
  const f = d.openAt({}, 'js.txt', { create: true, truncate: true }, { read: true, write: true });
  const data = new TextEncoder().encode('written by js');
  f.write(data, 0n);
  const [back, eof] = f.read(100n, 0n);
  console.log(`read ${new TextDecoder().decode(back)} eof=${eof}`);
  console.log(`size ${f.stat().size}`);
  try {
    d.openAt({}, '../escape.txt', { create: true }, { write: true });
    console.log('escape: ok');
  } catch (e) {
    console.log(`escape: ${e.payload ?? e}`);
  }
}

export const run = {
  run() {
    const args = getArguments();
    const cmd = args[1] ?? 'hello';
    switch (cmd) {
      case 'hello':
        console.log('hello from js');
        break;
      case 'args':
        for (const a of args) console.log(a);
        break;
      case 'env':
        for (const [k, v] of getEnvironment()) console.log(`${k}=${v}`);
        break;
      case 'files':
        files(args[2] ?? '/data');
        break;
      case 'clock': {
        const t = Date.now();
        console.log(`after-2020 ${t > 1577836800000}`);
        break;
      }
      case 'random': {
        const b = new Uint8Array(32);
        crypto.getRandomValues(b);
        console.log(`random ${b.length} ${b.some((x) => x !== 0)}`);
        break;
      }
      default:
        console.error(`unknown command ${cmd}`);
        throw new Error('unknown command');
    }
  },
};
