// Builds the JS test guest with componentize-js's own API (jco 1.35's
// `componentize` command first asks its bundled wasm-tools for the world's
// metadata through a sandbox that cannot see the WIT folder here).
//
//   node build.mjs <componentize-js module dir> <guest.js> <wit dir> <out.wasm> [world]
//
// The world defaults to `guest`.
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [modDir, sourcePath, witPath, out, worldName = 'guest'] = process.argv.slice(2);
const { componentize } = await import(pathToFileURL(join(modDir, 'src', 'componentize.js')).href);
const { component } = await componentize({
  sourcePath,
  witPath,
  worldName,
  disableFeatures: ['http', 'fetch-event'],
});
await writeFile(out, component);
