#!/usr/bin/env node
// Generates server/src/analysis/estimate/data/pypi-sizes.json: for the Python distributions real projects install,
// the wheel a Linux x86_64 CPython 3.12 install downloads, what it occupies unpacked, the .pyc files pip adds, and its
// dependencies (markers evaluated for that platform, extras named by a dependent folded in). PyPI itself is not
// reachable from the machines this project is built on, so the figures come from public files that record them:
//   1. uv.lock files of public projects: every wheel's `size =` and every package's resolved dependencies. The lock
//      files are given on the command line, each named OWNER+REPO@COMMIT.uv.lock (fetched from GitHub at that
//      commit); for a package in several, its highest version wins.
//   2. the distributions pip installed on the machine running this script (python3, importlib.metadata): installed
//      bytes from their RECORD files, split into .pyc and the rest, and their Requires-Dist. For a name whose
//      version a lock file also has (as a CPython 3.11 or pure wheel), the pair gives the unpack factor (installed
//      bytes without .pyc / wheel bytes) and the .pyc share, the medians of which size every other wheel.
//   3. Debian's python3-* packages (the bundled index, ./debianTable.ts) for a few common names in neither: their
//      Installed-Size, with no dependencies (counted as a lower bound by the estimator's basis).
// CUDA libraries (nvidia-*, triton, cuda-*) unpack far less than CPU code: their factor is the installed sizes one
// public report lists for torch's cu12 wheels (github.com/IBM/text-generation-inference pull 50, 2024-03:
// site-packages/nvidia/{cudnn 1.2 GB, cublas 670 MB, ...}) over the wheel sizes of the same packages in the lock
// files (newer versions: approximate). torch's own wheel mixes CPU code and CUDA kernels: the mean of that factor
// and the one measured on Debian's torch build (libtorch + python3-torch .debs zipped as a wheel is: 3.18; .pyc
// 0.11 of the tree).
// The torch CPU-only build (`--index-url .../whl/cpu`) has no size in any lock file (that index publishes none):
// ~180 MB a wheel (github.com/pytorch/pytorch issue 17621, 2022-08-04), unpacked by the CPU-code factor.
// Run: node scripts/gen-pypi-sizes.mjs /path/to/OWNER+REPO@COMMIT.uv.lock ...
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs } from './lib/load-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const estimateDir = join(root, 'server/src/analysis/estimate');
const { readUvLock, wheelFor, markerHolds, versionCmp, normalizeDist, DEFAULT_PY_ENV, debianIndex } = await loadTs(
  "export * from './run/pyLockfiles'; export * from './run/pyMarkers'; export { debianIndex } from './debianTable';",
  estimateDir,
);
const env = DEFAULT_PY_ENV;
const env311 = { ...env, python: '3.11' };

// 1. lock files ------------------------------------------------------------------------------------------------
const locks = process.argv.slice(2);
if (!locks.length) throw new Error('usage: gen-pypi-sizes.mjs OWNER+REPO@COMMIT.uv.lock ...');
const rows = new Map(); // name -> { version, wheel, pure, deps, src }
const wheel311 = new Map(); // name@version -> cp311 (or pure) wheel bytes
const sources = [];
for (const file of locks) {
  const m = /^(.+?)\+(.+?)@([0-9a-f]{40})\.uv\.lock$/.exec(basename(file));
  if (!m) throw new Error(`${file}: name it OWNER+REPO@COMMIT.uv.lock`);
  const src = sources.push(`github.com/${m[1]}/${m[2]}@${m[3].slice(0, 12)} uv.lock`) - 1;
  const pkgs = readUvLock(readFileSync(file, 'utf8'));
  const byName = new Map();
  for (const p of pkgs) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  for (const p of pkgs) {
    if (p.source !== 'registry') continue;
    const w311 = wheelFor(p, env311, '3.11');
    if (w311 !== null) wheel311.set(`${p.name}@${p.version}`, w311);
    if (p.resolutionMarkers.length && !p.resolutionMarkers.some((r) => markerHolds(r, env))) continue;
    const wheel = wheelFor(p, env, '3.12');
    if (wheel === null) continue;
    const chosen = p.wheels.find((w) => w.size === wheel);
    const deps = new Set();
    for (const d of p.deps) {
      if (!markerHolds(d.marker, env)) continue;
      deps.add(d.name);
      for (const e of d.extras)
        for (const target of byName.get(d.name) ?? [])
          for (const od of target.optional[e] ?? []) if (markerHolds(od.marker, env)) deps.add(od.name);
    }
    deps.delete(p.name);
    const old = rows.get(p.name);
    if (old && versionCmp(old.version, p.version) >= 0) continue;
    rows.set(p.name, {
      version: p.version,
      wheel,
      pure: /-none-any\.whl$/.test(chosen?.file ?? ''),
      deps: [...deps].sort(),
      src,
    });
  }
}

// 2. this machine's pip-installed distributions ------------------------------------------------------------------
const local = JSON.parse(
  execFileSync('python3', [
    '-c',
    `
import importlib.metadata as m, os, json, sys
out = []
for d in m.distributions():
    if (d.read_text('INSTALLER') or '').strip() != 'pip': continue
    total = pyc = 0
    for f in (d.files or []):
        try: z = os.path.getsize(f.locate())
        except Exception: continue
        total += z
        if str(f).endswith('.pyc'): pyc += z
    out.append({'name': d.metadata['Name'], 'version': d.version, 'total': total, 'pyc': pyc, 'requires': d.requires or []})
print(json.dumps({'python': sys.version.split()[0], 'dists': out}))
`,
  ]).toString('utf8'),
);
const localSrc =
  sources.push(`pip-installed distributions of CPython ${local.python} (RECORD files), measured by this script`) - 1;
const pairs = { pure: [], binary: [] };
const measured = new Map();
for (const d of local.dists) {
  const name = normalizeDist(d.name);
  const deps = d.requires
    .filter((r) => !/extra\s*==/.test(r))
    .filter((r) => markerHolds(r.includes(';') ? r.slice(r.indexOf(';') + 1) : '', env))
    .map((r) => normalizeDist(/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(r)?.[0] ?? ''))
    .filter((n) => n && n !== name);
  measured.set(name, { version: d.version, unpacked: d.total - d.pyc, pyc: d.pyc, deps: [...new Set(deps)].sort() });
  const w = wheel311.get(`${name}@${d.version}`);
  if (w && d.total > d.pyc) {
    const pure = rows.get(name)?.pure ?? d.pyc / d.total > 0.25;
    pairs[pure ? 'pure' : 'binary'].push({ name, unzip: (d.total - d.pyc) / w, pyc: d.pyc / (d.total - d.pyc) });
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
const factors = {};
for (const kind of ['pure', 'binary']) {
  const p = pairs[kind];
  factors[kind] = {
    unzip: +median(p.map((x) => x.unzip)).toFixed(2),
    pyc: +median(p.map((x) => x.pyc)).toFixed(2),
    pairs: p.length,
    from: p.map((x) => `${x.name} ${x.unzip.toFixed(2)}/${x.pyc.toFixed(2)}`).join(', '),
  };
}

// CUDA libraries: see the header
const IBM_PR50 = {
  'nvidia-cudnn-cu12': 1.2e9,
  'nvidia-cublas-cu12': 670e6,
  'nvidia-cusolver-cu12': 488e6,
  'nvidia-cufft-cu12': 281e6,
  'nvidia-cusparse-cu12': 280e6,
  'nvidia-nccl-cu12': 176e6,
  'nvidia-curand-cu12': 103e6,
  'nvidia-cuda-nvrtc-cu12': 62e6,
};
const cudaWheels = Object.keys(IBM_PR50).reduce((a, n) => a + (rows.get(n)?.wheel ?? 0), 0);
const cudaInstalled = Object.keys(IBM_PR50).reduce((a, n) => a + (rows.get(n) ? IBM_PR50[n] : 0), 0);
factors.cuda = {
  unzip: +(cudaInstalled / cudaWheels).toFixed(2),
  pyc: 0,
  from: "IBM/text-generation-inference pull 50 (site-packages/nvidia sizes) over these packages' wheel sizes here",
};
// Debian's torch build (python3-torch + libtorch1.13 .debs, bookworm), zipped as a wheel: see the header
const TORCH_CPU_CODE = { unzip: 3.18, pyc: 0.11 };
factors.torch = {
  unzip: +((factors.cuda.unzip + TORCH_CPU_CODE.unzip) / 2).toFixed(2),
  pyc: TORCH_CPU_CODE.pyc,
  from: 'mean of the cuda factor and 3.18 (Debian torch 1.13 tree over its deflate zip; .pyc 0.11 of the tree)',
};
const kindOf = (name, pure) =>
  name === 'torch' ? 'torch' : /^(nvidia-|triton$|cuda-)/.test(name) ? 'cuda' : pure ? 'pure' : 'binary';

// 3. the table ----------------------------------------------------------------------------------------------------
// packages: name -> [version, wheel bytes, unpacked bytes (no .pyc), .pyc bytes pip adds, deps, source index]
const packages = {};
for (const [name, r] of rows) {
  const f = factors[kindOf(name, r.pure)];
  const m = measured.get(name);
  const same = m && m.version === r.version;
  const unpacked = same ? m.unpacked : Math.round(r.wheel * f.unzip);
  const pyc = same ? m.pyc : Math.round(unpacked * f.pyc);
  packages[name] = [r.version, r.wheel, unpacked, pyc, r.deps, r.src];
}
for (const [name, m] of measured) {
  if (packages[name]) continue;
  const f = factors[m.pyc / (m.unpacked + m.pyc) > 0.25 ? 'pure' : 'binary'];
  packages[name] = [m.version, Math.round(m.unpacked / f.unzip), m.unpacked, m.pyc, m.deps, localSrc];
}
const deb = debianIndex('bookworm');
const debSrc =
  sources.push(
    `Debian bookworm python3-* Installed-Size (bundled index of ${deb.indexDate}); dependencies not listed`,
  ) - 1;
for (const [name, debName] of [
  ['gunicorn', 'python3-gunicorn'],
  ['psycopg2', 'python3-psycopg2'],
  ['psycopg2-binary', 'python3-psycopg2'],
  ['mysqlclient', 'python3-mysqldb'],
  ['uvloop', 'python3-uvloop'],
  ['cython', 'cython3'],
]) {
  const p = deb.get(debName);
  if (packages[name] || !p) continue;
  const f = factors[p.kib > 2000 ? 'binary' : 'pure'];
  const unpacked = p.kib * 1024;
  packages[name] = [null, Math.round(unpacked / f.unzip), unpacked, Math.round(unpacked * f.pyc), null, debSrc];
}
// the CPU-only torch build (pytorch/pytorch issue 17621: ~180 MB wheels), unpacked as CPU code
const cpu = {};
if (packages.torch) {
  const cpuSrc =
    sources.push('torch +cpu wheel ~180 MB: github.com/pytorch/pytorch issue 17621 (comment of 2022-08-04)') - 1;
  const wheel = 180e6;
  const unpacked = Math.round(wheel * TORCH_CPU_CODE.unzip);
  const deps = packages.torch[4].filter((d) => !/^(nvidia-|triton$|cuda-)/.test(d));
  cpu.torch = [null, wheel, unpacked, Math.round(unpacked * TORCH_CPU_CODE.pyc), deps, cpuSrc];
}

const out = {
  generated: new Date().toISOString().slice(0, 10),
  target: 'Linux x86_64, CPython 3.12 wheels (cp312, abi3 or pure)',
  format:
    'packages: name -> [version, wheel bytes, unpacked bytes without .pyc, .pyc bytes pip compiles, dependency names (null: not known), source index]; cpu: the rows a --index-url .../whl/cpu install takes instead',
  factors,
  sources,
  packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))),
  cpu,
};
writeFileSync(join(estimateDir, 'data/pypi-sizes.json'), JSON.stringify(out) + '\n');
console.log(
  `${Object.keys(packages).length} packages; factors ${JSON.stringify(factors, (k, v) => (k === 'from' ? undefined : v))}`,
);
