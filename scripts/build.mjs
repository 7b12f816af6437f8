// Bundles the extension client, the language server and the CLI into dist/ with esbuild.
// `--production` minifies and drops source maps (used by `npm run package`).
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // optional native add-ons of ssh2 (pulled in by dockerode); both are loaded inside try/catch
  define: { __LAYER_INSIGHT_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
chmodSync('dist/cli.js', 0o755);
// dockerode loads its BuildKit protobuf definitions at run time from `${__dirname}/proto` (session.js,
// buildkit.js); bundled, __dirname is dist/, so they must sit in dist/proto (else a BuildKit build crashes the server).
cpSync('node_modules/dockerode/lib/proto', 'dist/proto', { recursive: true });
// The Debian package tables are read from disk at run time (server/src/analysis/estimate/debian.ts looks in
// `${__dirname}/data`), not bundled: only the suite a Dockerfile needs is loaded.
const tables = 'server/src/analysis/estimate/data';
rmSync('dist/data', { recursive: true, force: true });
mkdirSync('dist/data', { recursive: true });
for (const f of readdirSync(tables)) if (/^debian-.*\.bin\.br$/.test(f)) cpSync(`${tables}/${f}`, `dist/data/${f}`);
