#!/usr/bin/env node
// Generates server/src/analysis/estimate/data/debian-base-sets.json: for each Debian suite, the packages an official
// image already has (debootstrap minbase, and the buildpack-deps curl / scm / full layers the language images are
// built on), computed from the package tables (debian-<suite>.bin.br) by the estimator's own code
// (server/src/analysis/estimate/debian.ts: basePackages, over the index of debianTable.ts). The language server then
// needs a suite's 3 MB table only when an apt-get install asks for a package the image does not already have.
// Run after scripts/gen-debian-packages.mjs: node scripts/gen-debian-base-sets.mjs
// test/unit/estimate/debian.test.ts checks that the file matches the tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs } from './lib/load-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const estimateDir = join(root, 'server/src/analysis/estimate');
const dataDir = join(estimateDir, 'data');
// the estimator's modules, bundled in memory and run with __dirname at the source folder (it reads ./data from there)
const { basePackages, debianIndex, SUITES } = await loadTs(
  "export * from './debian'; export * from './debianTable';",
  estimateDir,
);

const meta = JSON.parse(readFileSync(join(dataDir, 'debian-packages.meta.json'), 'utf8'));
const out = {
  generated: new Date().toISOString().slice(0, 10),
  source: `computed by scripts/gen-debian-base-sets.mjs from the package tables of debian-packages.meta.json (generated ${meta.generated})`,
  suites: {},
};
for (const suite of SUITES) {
  const index = debianIndex(suite);
  if (!index) throw new Error(`no table for ${suite}`);
  out.suites[suite] = {};
  for (const set of ['minbase', 'buildpack-curl', 'buildpack-scm', 'buildpack-deps'])
    out.suites[suite][set] = [...basePackages(index, set)].sort();
}
writeFileSync(join(dataDir, 'debian-base-sets.json'), JSON.stringify(out, null, 1) + '\n');
console.log(
  Object.entries(out.suites)
    .map(
      ([s, v]) =>
        `${s}: ${Object.entries(v)
          .map(([k, l]) => `${k} ${l.length}`)
          .join(', ')}`,
    )
    .join('\n'),
);
