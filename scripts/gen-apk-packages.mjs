#!/usr/bin/env node
// Generates server/src/analysis/estimate/data/apk-packages.json, the table of Alpine packages the apk estimate uses
// (server/src/analysis/estimate/run/apk.ts), from scripts/data/apk-index.source.txt: APKINDEX stanzas copied from the
// public sources that file names (@source), the so:/virtual names some packages provide (@provides) and the packages
// of alpine:3.24 (@base). Each package keeps its installed size, its dependencies resolved to package names (so:,
// pc:, cmd: and virtual names through the provides; version constraints dropped; conflicts `!x` ignored), the names
// it could not resolve, and which source it came from.
// It also measures the factor by which an Alpine package is smaller than its Debian equivalent (the stand-in for an
// Alpine package the table lacks, run/apkDebian.ts): the median ratio of installed sizes over the packages of the
// table whose Debian equivalent (debianNameFor) exists in Debian trixie, both at least 64 KiB.
// Run: node scripts/gen-apk-packages.mjs   (the Debian table data/debian-trixie.bin.br must be there)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs } from './lib/load-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const estimateDir = join(root, 'server/src/analysis/estimate');
const SOURCE = join(root, 'scripts/data/apk-index.source.txt');
const OUT = join(estimateDir, 'data/apk-packages.json');
const RELEASE = '3.24';
const READ_ON = '2026-12-07';

/** The source file: sources, stanzas (each with the index of its source), provides, base. */
function parseSource(text) {
  const sources = [];
  const stanzas = [];
  const provides = [];
  let base = [];
  let cur = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('@source ')) sources.push(line.slice(8).trim());
    else if (line.startsWith('@provides ')) {
      const [pkg, ...names] = line.slice(10).trim().split(/\s+/);
      for (const n of names) provides.push([n, pkg]);
    } else if (line.startsWith('@base ')) base = line.slice(6).trim().split(/\s+/);
    else if (line.trim() === '') cur = null;
    else {
      const key = line.slice(0, 2);
      const value = line.slice(2);
      if (key === 'P:') {
        cur = { name: value, source: sources.length - 1, deps: [], provides: [] };
        stanzas.push(cur);
      } else if (!cur) throw new Error(`field outside a stanza: ${line}`);
      else if (key === 'V:') cur.version = value;
      else if (key === 'I:') cur.bytes = Number(value);
      else if (key === 'D:') cur.deps = value.split(/\s+/).filter(Boolean);
      else if (key === 'p:') cur.provides = value.split(/\s+/).filter(Boolean);
      else throw new Error(`unknown field: ${line}`);
    }
  }
  return { sources, stanzas, provides, base };
}

/** `so:libz.so.1>=1.2` -> `so:libz.so.1`; null for a conflict. */
function depName(token) {
  if (token.startsWith('!')) return null;
  return token.replace(/[<>=~].*$/, '');
}

const { sources, stanzas, provides, base } = parseSource(readFileSync(SOURCE, 'utf8'));
const names = new Set(stanzas.map((s) => s.name));
const provider = new Map(provides);
for (const s of stanzas) for (const p of s.provides) provider.set(depName(p), s.name);

const packages = {};
const unresolvedAll = new Set();
for (const s of [...stanzas].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
  if (!Number.isFinite(s.bytes)) throw new Error(`${s.name}: no installed size`);
  const deps = [];
  const unresolved = [];
  for (const token of s.deps) {
    const d = depName(token);
    if (!d) continue;
    const name = names.has(d) ? d : provider.get(d);
    if (name) {
      if (name !== s.name && !deps.includes(name)) deps.push(name);
    } else if (/^(so|pc|cmd):|^\//.test(d)) {
      unresolved.push(d);
      unresolvedAll.add(d);
    } else if (!deps.includes(d)) deps.push(d); // a package named but not copied: sized from Debian at run time
  }
  packages[s.name] = {
    bytes: s.bytes,
    ...(s.version ? { version: s.version } : {}),
    ...(deps.length ? { deps } : {}),
    ...(unresolved.length ? { unresolved } : {}),
    source: s.source,
  };
}

// the estimator's Debian modules, bundled in memory and run with __dirname at the source folder (as
// scripts/gen-debian-base-sets.mjs does): the factor uses the same name mapping as the estimate
const { debianIndex, debianNameFor } = await loadTs(
  "export * from './debianTable'; export { debianNameFor } from './run/apkDebian';",
  estimateDir,
);
const index = debianIndex('trixie');
if (!index) throw new Error('no Debian trixie table (server/src/analysis/estimate/data/debian-trixie.bin.br)');
const pairs = [];
for (const [name, p] of Object.entries(packages)) {
  const deb = index.get(debianNameFor(name));
  const alpineKib = p.bytes / 1024;
  if (deb && alpineKib >= 64 && deb.kib >= 64) pairs.push({ name, debian: deb.name, ratio: alpineKib / deb.kib });
}
pairs.sort((a, b) => a.ratio - b.ratio);
const median = pairs.length
  ? pairs.length % 2
    ? pairs[(pairs.length - 1) / 2].ratio
    : (pairs[pairs.length / 2 - 1].ratio + pairs[pairs.length / 2].ratio) / 2
  : 1;

const table = {
  about:
    'Alpine packages for the apk estimate, generated by scripts/gen-apk-packages.mjs from scripts/data/apk-index.source.txt (APKINDEX stanzas copied from the sources below). bytes: installed size; deps: dependencies resolved to package names (a name not in this table is sized from its Debian equivalent); unresolved: so:/cmd: names no package here provides; source: index into sources. debian.factor: median Alpine/Debian installed-size ratio over the pairs listed.',
  generated: READ_ON,
  release: RELEASE,
  arch: 'x86_64',
  sources,
  base,
  debian: {
    suite: index.suite,
    indexDate: index.indexDate,
    factor: Math.round(median * 100) / 100,
    pairs: pairs.map((p) => `${p.name}/${p.debian} ${p.ratio.toFixed(2)}`),
  },
  packages,
};
writeFileSync(OUT, JSON.stringify(table, null, 1) + '\n');
console.log(
  `${Object.keys(packages).length} packages, ${pairs.length} Debian pairs, factor ${table.debian.factor}; unresolved: ${[...unresolvedAll].join(' ') || 'none'}`,
);
