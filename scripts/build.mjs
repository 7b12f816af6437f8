// Bundles the extension client, the language server and the CLI into dist/ with esbuild.
// Always minified (the benchmarks measure what ships); `--production` also drops the source maps (`npm run package`).
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: true,
  logLevel: 'warning',
  define: {
    __LAYER_INSIGHT_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
    // the engine libraries' own bundle, beside server.js and cli.js (server/src/engine/lazy.ts loads it on first use)
    __LAYER_INSIGHT_ENGINE_LIBS__: JSON.stringify('engine-libs.js'),
  },
  // optional native add-ons of ssh2 (pulled in by dockerode); both are loaded inside try/catch
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' }),
  build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' }),
  build({
    ...common,
    entryPoints: ['server/src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
  // dockerode (ssh2, grpc-js, protobufjs) and tar-stream: half the size, kept out of server.js and cli.js
  build({ ...common, entryPoints: ['server/src/engine/libs.ts'], outfile: 'dist/engine-libs.js' }),
]);
chmodSync('dist/cli.js', 0o755);
// dockerode loads its BuildKit protobuf definitions at run time from `${__dirname}/proto` (session.js,
// buildkit.js); bundled, __dirname is dist/, so they must sit in dist/proto (else a BuildKit build crashes the server).
cpSync('node_modules/dockerode/lib/proto', 'dist/proto', { recursive: true });
// The Debian package tables and the npm size table are read from disk at run time (server/src/analysis/estimate/
// debianTable.ts and npmTable.ts look in `${__dirname}/data`), not bundled: only the suite a Dockerfile needs is
// loaded, and the npm table only when a RUN installs npm packages. The repository keeps them brotli-
// compressed; dist/ gets them decompressed, so that the server reads a table without a decoder's working memory
// (the .vsix is a zip: the package is no larger).
const tables = 'server/src/analysis/estimate/data';
rmSync('dist/data', { recursive: true, force: true });
mkdirSync('dist/data', { recursive: true });
for (const f of readdirSync(tables)) {
  if (/^debian-.*\.bin\.br$/.test(f) || f === 'npm-sizes.json.br')
    writeFileSync(`dist/data/${f.replace(/\.br$/, '')}`, brotliDecompressSync(readFileSync(`${tables}/${f}`)));
}
