#!/usr/bin/env node
// Generates the Debian package tables the apt-get estimator uses, one file per suite plus their metadata:
//   server/src/analysis/estimate/data/debian-<suite>.bin.br     (read from disk at run time, never bundled)
//   server/src/analysis/estimate/data/debian-packages.meta.json (sources, index dates, counts, file hashes: bundled)
// from Debian's own package indexes, $MIRROR/dists/<suite>/main/binary-amd64/Packages.xz, downloaded over http from
// the mirror apt uses on this machine (or MIRROR=...). Needs `xz` on PATH to decompress.
// Run: node scripts/gen-debian-packages.mjs [--out DIR] [bookworm trixie ...]
//      node scripts/gen-debian-packages.mjs --from-json OLD.json [--out DIR] [suites...]
// The second form converts a table in the previous format (debian-packages.json: base64 of brotli text, both suites,
// see decodeOldJson) instead of downloading, so that a format change does not also change the data.
//
// The committed files: the indexes were downloaded from deb.debian.org on 2026-11-24 (bookworm Release of
// 2026-07-11, trixie of 2026-11-21) into the old debian-packages.json (commit dc8070f), and converted to this format
// on 2026-12-02 with
//   git show dc8070f:server/src/analysis/estimate/data/debian-packages.json > /tmp/debian-packages.json
//   node scripts/gen-debian-packages.mjs --from-json /tmp/debian-packages.json
// (the meta file records both dates: "generated" is the download, "converted" the conversion). Downloading again on
// 2026-12-02 (same Release files) gave byte-identical tables.
//
// Kept per package: Installed-Size (KiB), Depends+Pre-Depends, Recommends, the Provides other packages' relations
// use, and flags (Priority required / important, Essential). Versions and :arch qualifiers are dropped. Families
// nobody installs by hand in a Dockerfile are left out unless a kept package needs them (Depends or Recommends):
// Rust/Go/Haskell/R/Emacs/OCaml library packages (librust-*, golang-*-dev, libghc-*, r-cran-*, r-bioc-*, elpa-*,
// libocaml*, haskell-*), node-* modules, *-dbg and *-doc. A name listed twice in an index (two versions, e.g.
// linux-source-6.1) keeps its last entry, and its Provides from all entries.
//
// Format of one suite, before brotli (all integers little-endian, every array 4-byte aligned so that the loader
// views them in place, without copying or parsing):
//   "DLIDEB01", u32 N (names), u32 B (bytes of names), u32 D, R, P (entries of the depends, recommends and
//   providers streams), u32 0 (padding to 32 bytes);
//   u32 nameStart[N+1]   name i is bytes nameStart[i] .. nameStart[i+1] of the names blob
//   i32 kib[N]           Installed-Size in KiB (0 for a name that is not a package)
//   u32 depStart[N+1], recStart[N+1], provStart[N+1]: ranges of name i in the streams below
//   u32 depends[D], recommends[R]: per entry (name id << 1) | 1 if it is the last alternative of its group
//   u32 providers[P]     ids of the packages that provide name i (a virtual package), in name order
//   u8  flags[N]         1 package, 2 Priority required, 4 Priority important, 8 Essential
//   u8  names[B]         every name the suite uses (packages, relation targets, virtual names), ASCII, sorted
//                        bytewise: a name's id is its rank, and the loader finds a name by binary search.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const fromJsonAt = args.indexOf('--from-json');
const fromJson = fromJsonAt >= 0 ? args.splice(fromJsonAt, 2)[1] : null;
if (fromJsonAt >= 0 && !fromJson) throw new Error('--from-json needs the path of a debian-packages.json');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args.splice(outAt, 2)[1] : join(root, 'server/src/analysis/estimate/data');
if (!outDir) throw new Error('--out needs a directory');
const suites = args.length ? args : ['bookworm', 'trixie'];

function aptMirror() {
  if (process.env.MIRROR) return process.env.MIRROR.replace(/\/$/, '');
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (!f.endsWith('.sources')) continue;
      const m = /^URIs:\s*(\S+)/m.exec(readFileSync(join('/etc/apt/sources.list.d', f), 'utf8'));
      if (m) return m[1].replace(/\/$/, '');
    }
  } catch {
    /* no deb822 sources */
  }
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
    .map((group) =>
      group
        .split('|')
        .map((alt) =>
          alt
            .trim()
            .replace(/\s*\(.*?\)/g, '')
            .replace(/\s*\[.*?\]/g, '')
            .replace(/\s*<.*?>/g, '')
            .replace(/:\w+$/, ''),
        )
        .filter(Boolean)
        .join('|'),
    )
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
      flags:
        (f.Priority === 'required' ? 'r' : '') +
        (f.Priority === 'important' ? 'i' : '') +
        (f.Essential === 'yes' ? 'e' : ''),
    });
  }
  return rows;
}

const PRUNE = /^(librust-|golang-.*-dev$|node-|libghc-|r-cran-|r-bioc-|elpa-|libocaml|haskell-)|-(dbg|doc)$/;

/** Drops the pruned families unless a kept package needs them; keeps only Provides that some relation uses. */
function prune(rows) {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const providers = new Map();
  for (const r of rows)
    for (const p of r.provides.split(',').filter(Boolean)) {
      if (!providers.has(p)) providers.set(p, []);
      providers.get(p).push(r.name);
    }
  const keep = new Set();
  const used = new Set();
  const stack = [];
  for (const r of rows)
    if (!PRUNE.test(r.name)) {
      keep.add(r.name);
      stack.push(r.name);
    }
  while (stack.length) {
    const r = byName.get(stack.pop());
    if (!r) continue;
    for (const rel of [r.deps, r.recs])
      for (const group of rel.split(',').filter(Boolean))
        for (const alt of group.split('|')) {
          if (!byName.has(alt)) used.add(alt);
          for (const c of byName.has(alt) ? [alt] : (providers.get(alt) ?? []))
            if (!keep.has(c)) {
              keep.add(c);
              stack.push(c);
            }
        }
  }
  return rows
    .filter((r) => keep.has(r.name))
    .map((r) => ({
      ...r,
      provides: r.provides
        .split(',')
        .filter((p) => p && used.has(p))
        .join(','),
    }));
}

/**
 * The previous format (until 2026-12-02): JSON whose `data` is base64 of brotli of: package names one per line; a
 * blank line; per suite a section "#suite" then one line per package: id TAB Installed-Size(KiB) TAB depends TAB
 * recommends TAB provides TAB flags (ids base 36 into the names; ',' between groups, '|' between alternatives;
 * flags r=required i=important e=essential). Returns the rows as parseIndex+prune made them, and the metadata.
 */
function decodeOldJson(file) {
  const old = JSON.parse(readFileSync(file, 'utf8'));
  const text = brotliDecompressSync(Buffer.from(old.data, 'base64')).toString('utf8');
  const blank = text.indexOf('\n\n');
  const names = text.slice(0, blank).split('\n');
  const nameOf = (id) => {
    const n = names[parseInt(id, 36)];
    if (n === undefined) throw new Error(`${file}: name id ${id} out of range`);
    return n;
  };
  const dec = (rel) =>
    rel
      .split(',')
      .filter(Boolean)
      .map((g) => g.split('|').map(nameOf).join('|'))
      .join(',');
  const tables = {};
  for (const section of text.slice(blank + 2).split('\n\n')) {
    const nl = section.indexOf('\n');
    const suite = section.slice(0, nl).replace(/^#/, '');
    tables[suite] = section
      .slice(nl + 1)
      .split('\n')
      .filter((line) => line.includes('\t'))
      .map((line) => {
        const [id, kib, deps, recs, provides, flags = ''] = line.split('\t');
        // the old loader read sizes with Number(kib) || 0 and flags with includes()
        return {
          name: nameOf(id),
          size: Number(kib) || 0,
          deps: dec(deps),
          recs: dec(recs),
          provides: dec(provides),
          flags,
        };
      });
  }
  return { generated: old.generated, pruned: old.pruned, suites: old.suites, tables };
}

/**
 * A name listed more than once (two versions in the index) keeps its last entry, as the previous loader did, and
 * the Provides of all its entries (the previous loader counted every entry as a provider).
 */
function dedupe(rows) {
  const last = new Map();
  const provides = new Map();
  for (const r of rows) {
    last.set(r.name, r);
    const list = provides.get(r.name) ?? [];
    for (const p of r.provides.split(',').filter(Boolean)) if (!list.includes(p)) list.push(p);
    provides.set(r.name, list);
  }
  return [...last.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => ({ ...r, provides: provides.get(r.name).join(',') }));
}

const MAGIC = 'DLIDEB01';
const FLAG = { package: 1, required: 2, important: 4, essential: 8 };

/** `a|b,c` -> [[a, b], [c]]: a relation's groups of alternatives. */
function groupsOf(rel) {
  return rel
    .split(',')
    .filter(Boolean)
    .map((g) => g.split('|').filter(Boolean));
}

/** One suite's rows (sorted, unique names) -> the binary table described at the top. */
function encodeSuite(rows) {
  const names = suiteNames(rows);
  const id = new Map(names.map((n, i) => [n, i]));
  const byName = new Map(rows.map((r) => [r.name, r]));
  const dep = relationStream(names, id, byName, (r) => r.deps);
  const rec = relationStream(names, id, byName, (r) => r.recs);
  const prov = providerStream(names, id, rows);
  const { kib, flags } = sizesAndFlags(names, byName);
  return { names: names.length, raw: packTable(names, kib, dep, rec, prov, flags) };
}

/** Every name the suite uses (packages, relation targets, virtual names), sorted bytewise; ASCII only. */
function suiteNames(rows) {
  const all = new Set();
  for (const r of rows) {
    all.add(r.name);
    for (const rel of [r.deps, r.recs, r.provides]) for (const g of groupsOf(rel)) for (const n of g) all.add(n);
  }
  const names = [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names)
    if (!/^[\x21-\x7e]+$/.test(n)) throw new Error(`not a printable ASCII package name: ${JSON.stringify(n)}`);
  return names;
}

/** One relation (depends or recommends) of every name: ranges into a stream of (id << 1) | last-of-its-group. */
function relationStream(names, id, byName, pick) {
  const N = names.length;
  const start = new Uint32Array(N + 1);
  const out = [];
  names.forEach((n, i) => {
    start[i] = out.length;
    const r = byName.get(n);
    if (r)
      for (const g of groupsOf(pick(r)))
        g.forEach((alt, k) => out.push((id.get(alt) << 1) | (k === g.length - 1 ? 1 : 0)));
  });
  start[N] = out.length;
  return { start, data: Uint32Array.from(out) };
}

/** The packages providing each name: ranges into a stream of their ids. */
function providerStream(names, id, rows) {
  const providers = new Map();
  for (const r of rows)
    for (const v of groupsOf(r.provides).flat()) {
      const list = providers.get(v) ?? [];
      if (!list.includes(r.name)) list.push(r.name);
      providers.set(v, list);
    }
  const N = names.length;
  const start = new Uint32Array(N + 1);
  const prov = [];
  names.forEach((n, i) => {
    start[i] = prov.length;
    for (const p of providers.get(n) ?? []) prov.push(id.get(p));
  });
  start[N] = prov.length;
  return { start, data: Uint32Array.from(prov) };
}

/** Installed-Size and flags of every name (0 and no flags for a name that is not a package). */
function sizesAndFlags(names, byName) {
  const kib = new Int32Array(names.length);
  const flags = new Uint8Array(names.length);
  names.forEach((n, i) => {
    const r = byName.get(n);
    if (!r) return;
    if (!Number.isInteger(r.size) || r.size < 0 || r.size > 0x7fffffff)
      throw new Error(`${n}: Installed-Size ${r.size}`);
    kib[i] = r.size;
    flags[i] =
      FLAG.package |
      (r.flags.includes('r') ? FLAG.required : 0) |
      (r.flags.includes('i') ? FLAG.important : 0) |
      (r.flags.includes('e') ? FLAG.essential : 0);
  });
  return { kib, flags };
}

/** The header, the arrays and the names blob, in the order described at the top. */
function packTable(names, kib, dep, rec, prov, flags) {
  const N = names.length;
  const blob = Buffer.from(names.join(''), 'latin1');
  const nameStart = new Uint32Array(N + 1);
  let at = 0;
  names.forEach((n, i) => {
    nameStart[i] = at;
    at += n.length;
  });
  nameStart[N] = at;
  const header = Buffer.alloc(32);
  header.write(MAGIC, 0, 'latin1');
  [N, blob.length, dep.data.length, rec.data.length, prov.data.length, 0].forEach((v, i) =>
    header.writeUInt32LE(v, 8 + 4 * i),
  );
  const le = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength); // little-endian hosts only (checked below)
  return Buffer.concat([
    header,
    le(nameStart),
    le(kib),
    le(dep.start),
    le(rec.start),
    le(prov.start),
    le(dep.data),
    le(rec.data),
    le(prov.data),
    Buffer.from(flags),
    blob,
  ]);
}

/** Reads a table back the simple way and checks it says what the rows say (a self-test of encodeSuite). */
function checkSuite(raw, rows) {
  const u32 = (off, n) => Array.from({ length: n }, (_, i) => raw.readUInt32LE(off + 4 * i));
  const [N, B, D, R, P] = u32(8, 5);
  let at = 32;
  const take = (n) => {
    const v = u32(at, n);
    at += 4 * n;
    return v;
  };
  const nameStart = take(N + 1);
  const kib = take(N);
  const depStart = take(N + 1);
  const recStart = take(N + 1);
  const provStart = take(N + 1);
  const dep = take(D);
  const rec = take(R);
  const prov = take(P);
  const flags = raw.subarray(at, at + N);
  at += N;
  const blob = raw.subarray(at, at + B).toString('latin1');
  at += B;
  if (at !== raw.length) throw new Error('table length');
  const name = (i) => blob.slice(nameStart[i], nameStart[i + 1]);
  const rel = (s, start, i) => {
    const groups = [];
    let g = [];
    for (let k = start[i]; k < start[i + 1]; k++) {
      g.push(name(s[k] >>> 1));
      if (s[k] & 1) {
        groups.push(g.join('|'));
        g = [];
      }
    }
    return groups.join(',');
  };
  const byName = new Map(rows.map((r) => [r.name, r]));
  let packages = 0;
  for (let i = 0; i < N; i++) {
    if (i > 0 && !(name(i - 1) < name(i))) throw new Error('names not sorted');
    const r = byName.get(name(i));
    if (!r !== !(flags[i] & FLAG.package)) throw new Error(`${name(i)}: package flag`);
    if (!r) continue;
    packages++;
    const f =
      (flags[i] & FLAG.required ? 'r' : '') +
      (flags[i] & FLAG.important ? 'i' : '') +
      (flags[i] & FLAG.essential ? 'e' : '');
    const want =
      (r.flags.includes('r') ? 'r' : '') + (r.flags.includes('i') ? 'i' : '') + (r.flags.includes('e') ? 'e' : '');
    if (kib[i] !== r.size || f !== want || rel(dep, depStart, i) !== r.deps || rel(rec, recStart, i) !== r.recs)
      throw new Error(`${r.name}: differs`);
    for (let k = provStart[i]; k < provStart[i + 1]; k++) {
      if (!byName.get(name(prov[k]))?.provides.split(',').includes(name(i)))
        throw new Error(`${name(i)}: provider ${name(prov[k])}`);
    }
  }
  if (packages !== rows.length) throw new Error('package count');
}

if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1)
  throw new Error('this generator writes little-endian tables from a little-endian host');
mkdirSync(outDir, { recursive: true });
const today = new Date().toISOString().slice(0, 10);
const meta = {
  generated: today,
  converted: undefined, // only when made --from-json (JSON.stringify leaves it out otherwise)
  pruned: String(PRUNE),
  format: 'see scripts/gen-debian-packages.mjs: brotli of a binary table per suite (names sorted, typed arrays)',
  suites: {},
};
let tables = {};
if (fromJson) {
  const old = decodeOldJson(fromJson);
  Object.assign(meta, { generated: old.generated, converted: today, pruned: old.pruned });
  for (const suite of suites) {
    if (!old.tables[suite]) throw new Error(`${fromJson} has no ${suite}`);
    tables[suite] = old.tables[suite];
    const { indexDate, source, packages, upstreamPackages } = old.suites[suite];
    meta.suites[suite] = { indexDate, source, upstreamPackages, packages };
  }
} else {
  const mirror = aptMirror();
  for (const suite of suites) {
    const base = `${mirror}/dists/${suite}`;
    const release = (await download(`${base}/Release`)).toString('utf8');
    const indexDate = new Date(/^Date:\s*(.+)$/m.exec(release)?.[1] ?? Date.now()).toISOString().slice(0, 10);
    const xz = await download(`${base}/main/binary-amd64/Packages.xz`);
    const all = parseIndex(execFileSync('xz', ['-dc'], { input: xz, maxBuffer: 1 << 30 }).toString('utf8'));
    const rows = prune(all).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    tables[suite] = rows;
    meta.suites[suite] = {
      indexDate,
      source: `${base}/main/binary-amd64/Packages.xz`,
      upstreamPackages: all.length,
      packages: rows.length,
    };
    console.log(
      `${suite}: index ${indexDate}, ${all.length} packages, ${rows.length} kept (${(xz.length / 1e6).toFixed(1)} MB xz)`,
    );
  }
}
for (const suite of suites) {
  const rows = dedupe(tables[suite]);
  const { names, raw } = encodeSuite(rows);
  checkSuite(raw, rows);
  // a 64 KiB window: no bigger than with 16 MiB on these tables, and the decoder's ring buffer stays small (the
  // first load of a suite decompresses in about 2/3 of the time)
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 16,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  if (Buffer.compare(brotliDecompressSync(br), raw) !== 0) throw new Error('brotli round trip');
  const file = `debian-${suite}.bin.br`;
  writeFileSync(join(outDir, file), br);
  Object.assign(meta.suites[suite], {
    distinctPackages: rows.length,
    names,
    file,
    bytes: br.length,
    sha256: createHash('sha256').update(br).digest('hex'),
    rawBytes: raw.length,
  });
  console.log(
    `${suite}: ${rows.length} packages, ${names} names, ${(raw.length / 1e6).toFixed(2)} MB table -> ${(br.length / 1e6).toFixed(2)} MB brotli -> ${file}`,
  );
}
// suites not regenerated keep their entries
const metaFile = join(outDir, 'debian-packages.meta.json');
let previous = {};
try {
  previous = JSON.parse(readFileSync(metaFile, 'utf8')).suites ?? {};
} catch {
  /* first run */
}
meta.suites = { ...previous, ...meta.suites };
writeFileSync(metaFile, JSON.stringify(meta, null, 2) + '\n');
console.log(`-> ${metaFile}`);
