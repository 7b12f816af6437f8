#!/usr/bin/env node
// Generates the Debian package table the apt-get estimator uses:
//   server/src/analysis/estimate/data/debian-packages.json
// from Debian's own package indexes, $MIRROR/dists/<suite>/main/binary-amd64/Packages.xz, downloaded over http from
// the mirror apt uses on this machine (or MIRROR=...). Needs `xz` on PATH to decompress.
// Run: node scripts/gen-debian-packages.mjs [bookworm trixie ...]
//
// Kept per package: Installed-Size (KiB), Depends+Pre-Depends, Recommends, the Provides other packages' relations
// use, and flags (r: Priority required, i: important, e: Essential). Versions and :arch qualifiers are dropped.
// Size: the two upstream indexes are 18.5 MB of xz (110 MB of text). To stay small in the bundles:
//  - package names are stored once (shared by the suites) and relations refer to them by base-36 index;
//  - families nobody installs by hand in a Dockerfile are left out unless a kept package needs them (Depends or
//    Recommends): Rust/Go/Haskell/R/Emacs/OCaml library packages (librust-*, golang-*-dev, libghc-*, r-cran-*,
//    r-bioc-*, elpa-*, libocaml*, haskell-*), node-* modules, *-dbg and *-doc;
//  - the text is brotli-compressed (quality 11) and stored base64 in JSON, so that the pure analysis imports it as
//    bundled data. Result (2026-11-24): 1.17 MB brotli / 1.57 MB JSON for bookworm + trixie (108,614 package entries).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'server/src/analysis/estimate/data');
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['bookworm', 'trixie'];

function aptMirror() {
  if (process.env.MIRROR) return process.env.MIRROR.replace(/\/$/, '');
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (!f.endsWith('.sources')) continue;
      const m = /^URIs:\s*(\S+)/m.exec(readFileSync(join('/etc/apt/sources.list.d', f), 'utf8'));
      if (m) return m[1].replace(/\/$/, '');
    }
  } catch { /* no deb822 sources */ }
  return 'http://deb.debian.org/debian';
}

function download(url) {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        res.resume();
        download(new URL(res.headers.location, url).toString()).then(resolve, reject);
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** `libc6 (>= 2.34), debconf | debconf-2.0` -> 'libc6,debconf|debconf-2.0' */
function relations(value) {
  if (!value) return '';
  return value
    .split(',')
    .map((group) => group
      .split('|')
      .map((alt) => alt.trim().replace(/\s*\(.*?\)/g, '').replace(/\s*\[.*?\]/g, '').replace(/\s*<.*?>/g, '').replace(/:\w+$/, ''))
      .filter(Boolean)
      .join('|'))
    .filter(Boolean)
    .join(',');
}

function parseIndex(text) {
  const rows = [];
  for (const para of text.split(/\n\n+/)) {
    const f = {};
    for (const line of para.split('\n')) {
      if (/^\s/.test(line)) continue; // continuation lines (descriptions, tags): not needed
      const i = line.indexOf(':');
      if (i < 0) continue;
      f[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    if (!f.Package) continue;
    rows.push({
      name: f.Package,
      size: Number(f['Installed-Size'] ?? 0),
      deps: [relations(f['Pre-Depends']), relations(f.Depends)].filter(Boolean).join(','),
      recs: relations(f.Recommends),
      provides: relations(f.Provides),
      flags: (f.Priority === 'required' ? 'r' : '') + (f.Priority === 'important' ? 'i' : '') + (f.Essential === 'yes' ? 'e' : ''),
    });
  }
  return rows;
}

const PRUNE = /^(librust-|golang-.*-dev$|node-|libghc-|r-cran-|r-bioc-|elpa-|libocaml|haskell-)|-(dbg|doc)$/;

/** Drops the pruned families unless a kept package needs them; keeps only Provides that some relation uses. */
function prune(rows) {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const providers = new Map();
  for (const r of rows) for (const p of r.provides.split(',').filter(Boolean)) {
    if (!providers.has(p)) providers.set(p, []);
    providers.get(p).push(r.name);
  }
  const keep = new Set();
  const used = new Set();
  const stack = [];
  for (const r of rows) if (!PRUNE.test(r.name)) { keep.add(r.name); stack.push(r.name); }
  while (stack.length) {
    const r = byName.get(stack.pop());
    if (!r) continue;
    for (const rel of [r.deps, r.recs]) for (const group of rel.split(',').filter(Boolean)) for (const alt of group.split('|')) {
      if (!byName.has(alt)) used.add(alt);
      for (const c of byName.has(alt) ? [alt] : providers.get(alt) ?? []) if (!keep.has(c)) { keep.add(c); stack.push(c); }
    }
  }
  return rows
    .filter((r) => keep.has(r.name))
    .map((r) => ({ ...r, provides: r.provides.split(',').filter((p) => p && used.has(p)).join(',') }));
}

const mirror = aptMirror();
mkdirSync(outDir, { recursive: true });
const meta = {};
const tables = {};
for (const suite of suites) {
  const base = `${mirror}/dists/${suite}`;
  const release = (await download(`${base}/Release`)).toString('utf8');
  const indexDate = new Date(/^Date:\s*(.+)$/m.exec(release)?.[1] ?? Date.now()).toISOString().slice(0, 10);
  const xz = await download(`${base}/main/binary-amd64/Packages.xz`);
  const all = parseIndex(execFileSync('xz', ['-dc'], { input: xz, maxBuffer: 1 << 30 }).toString('utf8'));
  const rows = prune(all).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  tables[suite] = rows;
  meta[suite] = { indexDate, source: `${base}/main/binary-amd64/Packages.xz`, packages: rows.length, upstreamPackages: all.length };
  console.log(`${suite}: index ${indexDate}, ${all.length} packages, ${rows.length} kept (${(xz.length / 1e6).toFixed(1)} MB xz)`);
}
const ids = new Map();
const names = [];
const id = (n) => {
  if (!ids.has(n)) { ids.set(n, names.length); names.push(n); }
  return ids.get(n).toString(36);
};
for (const s of suites) for (const r of tables[s]) id(r.name);
const enc = (rel) => rel.split(',').filter(Boolean).map((g) => g.split('|').map(id).join('|')).join(',');
const sections = suites.map((s) => `#${s}\n` + tables[s].map((r) => [id(r.name), r.size, enc(r.deps), enc(r.recs), enc(r.provides), r.flags].join('\t')).join('\n'));
const text = names.join('\n') + '\n\n' + sections.join('\n\n') + '\n';
const br = brotliCompressSync(Buffer.from(text, 'utf8'), {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
});
const out = {
  generated: new Date().toISOString().slice(0, 10),
  suites: meta,
  format: 'base64 of brotli of: package names one per line; a blank line; per suite a section "#suite" then one line per ' +
    'package: id TAB Installed-Size(KiB) TAB depends TAB recommends TAB provides TAB flags (ids base 36 into the names; ' +
    "',' between groups, '|' between alternatives; flags r=required i=important e=essential)",
  pruned: String(PRUNE),
  data: br.toString('base64'),
};
const file = join(outDir, 'debian-packages.json');
writeFileSync(file, JSON.stringify(out) + '\n');
console.log(`${names.length} names, ${(text.length / 1e6).toFixed(1)} MB text -> ${(br.length / 1e6).toFixed(2)} MB brotli -> ${file}`);
