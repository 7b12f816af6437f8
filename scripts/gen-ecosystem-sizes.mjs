#!/usr/bin/env node
// Measures installed sizes of npm and pip packages on this machine and writes the tables the npm/pip estimators
// use when a Dockerfile installs from a lockfile or requirements file:
//   server/src/analysis/estimate/data/ecosystem-sizes.json
// npm: every package folder under this project's node_modules (size of its files, nested node_modules excluded),
//      keyed by package name; the average over all of them is the fallback for names not in the table.
// pip: every distribution python3 can see (importlib.metadata, sizes of the files each RECORD lists), keyed by
//      normalised name; median and mean are recorded for the fallback.
// Run: node scripts/gen-ecosystem-sizes.mjs
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function folderBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) total += lstatSync(p).size;
  }
  return total;
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const npm = {};
let npmTotal = 0;
let npmCount = 0;
for (const key of Object.keys(lock.packages ?? {})) {
  if (!key.includes('node_modules/')) continue;
  let bytes;
  try {
    bytes = folderBytes(join(root, key));
  } catch {
    continue;
  }
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  npmTotal += bytes;
  npmCount++;
  if (!(name in npm) || npm[name] < bytes) npm[name] = bytes;
}

const py = execFileSync('python3', [
  '-c',
  `
import importlib.metadata as m, os, json, re, sys
out = {}
for d in m.distributions():
    s = 0
    for f in (d.files or []):
        try: s += os.path.getsize(f.locate())
        except Exception: pass
    name = re.sub(r'[-_.]+', '-', (d.metadata['Name'] or '')).lower()
    if name: out[name] = max(out.get(name, 0), s)
print(json.dumps({'python': sys.version.split()[0], 'sizes': out}))
`,
]).toString('utf8');
const pip = JSON.parse(py);
const pipSizes = Object.values(pip.sizes).sort((a, b) => a - b);
const out = {
  generated: new Date().toISOString().slice(0, 10),
  npm: {
    measuredOn: "this project's node_modules (package-lock.json)",
    packages: npmCount,
    averageBytes: Math.round(npmTotal / Math.max(npmCount, 1)),
    sizes: npm,
  },
  pip: {
    measuredOn: `python3 ${pip.python} distributions on the build machine (importlib.metadata RECORD files)`,
    packages: pipSizes.length,
    medianBytes: pipSizes[Math.floor(pipSizes.length / 2)] ?? 0,
    meanBytes: Math.round(pipSizes.reduce((a, b) => a + b, 0) / Math.max(pipSizes.length, 1)),
    sizes: pip.sizes,
  },
};
const file = join(root, 'server/src/analysis/estimate/data/ecosystem-sizes.json');
writeFileSync(file, JSON.stringify(out) + '\n');
console.log(
  `npm: ${npmCount} packages, average ${out.npm.averageBytes} B; pip: ${pipSizes.length} distributions, median ${out.pip.medianBytes} B, mean ${out.pip.meanBytes} B -> ${file}`,
);
