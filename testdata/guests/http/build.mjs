// Builds the HTTP test guest with componentize-js's node API, with its
// http (fetch) and fetch-event features on.
//
//   node build.mjs <componentize-js module dir> <guest.js> <wit dir> <out.wasm> [world]
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [modDir, sourcePath, witPath, out, worldName = 'proxy'] = process.argv.slice(2);
const { componentize } = await import(pathToFileURL(join(modDir, 'src', 'componentize.js')).href);
const { component } = await componentize({ sourcePath, witPath, worldName });
await writeFile(out, component);
