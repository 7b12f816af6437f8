// Loads TypeScript modules of the analysis into a generator script: esbuild bundles `contents` (an entry of
// `export ... from './x'` lines resolved in `resolveDir`) to CommonJS in memory, which runs with `resolveDir` as its
// __dirname (the table readers find their data files next to the code). Returns the entry's exports.

import { build } from 'esbuild';
import { createRequire } from 'node:module';

export async function loadTs(contents, resolveDir) {
  const bundle = await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'error',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', '__dirname', bundle.outputFiles[0].text)(
    mod,
    mod.exports,
    createRequire(import.meta.url),
    resolveDir,
  );
  return mod.exports;
}
