// Python lockfiles and pinned requirements, read for the pip/uv/poetry/pipenv estimate (./pip.ts) and for the table
// generator (scripts/gen-pypi-sizes.mjs): which distributions an install puts in the image, at which versions, and,
// for uv.lock, the size of the wheel it downloads. Read from the text alone, line by line (no TOML library): uv.lock
// and poetry.lock are written by their tools in a fixed layout. Pipfile.lock is JSON. Markers are evaluated for the
// image's platform (./pyMarkers.ts).

import { markerHolds, type PyEnv } from './pyMarkers';

/** A distribution an install puts in the image. */
export interface PyDist {
  name: string;
  version: string | null;
  /** The bytes of the wheel it downloads, when the lockfile says (uv.lock); else null. */
  wheelBytes: number | null;
  /** A PyTorch CPU-only build (`+cpu` version, or locked from a .../whl/cpu index). */
  cpu?: boolean;
}

export function normalizeDist(name: string): string {
  return name
    .replace(/\[[^]*$/, '')
    .trim()
    .replace(/[-_.]+/g, '-')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------------
// uv.lock

export interface UvDep {
  name: string;
  version?: string;
  marker?: string;
  extras: string[];
}

export interface UvPackage {
  name: string;
  version: string;
  /** registry, editable, virtual, directory, url, git, path. */
  source: string;
  registry?: string;
  resolutionMarkers: string[];
  deps: UvDep[];
  optional: Record<string, UvDep[]>;
  dev: Record<string, UvDep[]>;
  wheels: { file: string; size: number | null }[];
}

/** The [[package]] entries of a uv.lock (null if the text is not one). */
export function readUvLock(text: string): UvPackage[] | null {
  const out: UvPackage[] = [];
  let pkg: UvPackage | null = null;
  // where array items go: a list of deps, of wheels, of markers; and the table the next `key = [` belongs to
  let items: UvDep[] | { file: string; size: number | null }[] | string[] | null = null;
  let table: 'package' | 'optional' | 'dev' | 'other' = 'other';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '[[package]]') {
      pkg = { name: '', version: '', source: '', resolutionMarkers: [], deps: [], optional: {}, dev: {}, wheels: [] };
      out.push(pkg);
      table = 'package';
      items = null;
    } else if (line.startsWith('[')) {
      items = null;
      table =
        line === '[package.optional-dependencies]'
          ? 'optional'
          : line === '[package.dev-dependencies]'
            ? 'dev'
            : 'other';
    } else if (!pkg || table === 'other') continue;
    else if (items) {
      if (line === ']') items = null;
      else addItem(items, line);
    } else {
      const eq = line.indexOf(' = ');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const val = line.slice(eq + 3);
      items = keyValue(pkg, table, key, val);
      if (items && val.endsWith(']') && val !== '[') {
        addItem(items, val.slice(1, -1));
        items = null;
      }
    }
  }
  return text.includes('[[package]]') ? out.filter((p) => p.name) : null;
}

/** A `key = value` line of a [[package]] or one of its sub-tables; the list that its `[` opens, if any. */
function keyValue(
  pkg: UvPackage,
  table: 'package' | 'optional' | 'dev',
  key: string,
  val: string,
): UvDep[] | { file: string; size: number | null }[] | string[] | null {
  if (table === 'optional') return val.startsWith('[') ? (pkg.optional[normalizeDist(key)] = []) : null;
  if (table === 'dev') return val.startsWith('[') ? (pkg.dev[key] = []) : null;
  if (key === 'name') pkg.name = normalizeDist(unquote(val));
  else if (key === 'version') pkg.version = unquote(val);
  else if (key === 'source') {
    pkg.source = /^\{\s*([a-z-]+)\s*=/.exec(val)?.[1] ?? '';
    pkg.registry = /registry = "([^"]*)"/.exec(val)?.[1];
  } else if (key === 'dependencies' && val.startsWith('[')) return pkg.deps;
  else if (key === 'wheels' && val.startsWith('[')) return pkg.wheels;
  else if (key === 'resolution-markers' && val.startsWith('[')) return pkg.resolutionMarkers;
  return null;
}

function addItem(items: unknown[], line: string): void {
  if (line.startsWith('"')) {
    (items as string[]).push(unquote(line.replace(/,$/, '')));
    return;
  }
  if (!line.startsWith('{')) return;
  const url = /\b(?:url|path|filename) = "([^"]*)"/.exec(line)?.[1];
  if (/\bhash = "/.test(line) || (url && /\.whl$/.test(url))) {
    const size = /\bsize = (\d+)/.exec(line)?.[1];
    const file = decodeURIComponent((url ?? '').slice((url ?? '').lastIndexOf('/') + 1));
    (items as { file: string; size: number | null }[]).push({ file, size: size ? Number(size) : null });
    return;
  }
  const name = /\bname = "([^"]*)"/.exec(line)?.[1];
  if (!name) return;
  const extras = /\bextra = \[([^\]]*)\]/.exec(line)?.[1];
  (items as UvDep[]).push({
    name: normalizeDist(name),
    version: /\bversion = "([^"]*)"/.exec(line)?.[1],
    marker: unescape(/\bmarker = "((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? ''),
    extras: extras ? extras.split(',').map((e) => normalizeDist(unquote(e.trim()))) : [],
  });
}

/** A TOML basic string's text (`"a \\"b\\""` -> `a "b"`). */
function unquote(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') ? unescape(t.slice(1, -1)) : t;
}

function unescape(s: string): string {
  return s.replace(/\\(["\\])/g, '$1');
}

/** How `uv sync` was asked to install: dev groups (default: dev), extras. */
export interface UvSelection {
  dev: boolean;
  groups: string[];
  extras: string[];
  allExtras: boolean;
}

/**
 * What `uv sync` installs from a uv.lock: the closure of the project(s) (editable or virtual sources) over the
 * dependencies whose markers hold in `env`, with the dev groups and extras asked for; each package once, the fork a
 * dependency names by version (uv.lock resolves a package twice when platforms need different versions).
 */
export function uvInstallSet(pkgs: UvPackage[], env: PyEnv, sel: UvSelection, python: string): PyDist[] {
  const byName = new Map<string, UvPackage[]>();
  for (const p of pkgs) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const projects = pkgs.filter((p) => p.source === 'editable' || p.source === 'virtual' || p.source === 'directory');
  // a lock without a project (a script's): everything in it
  const roots = projects.length ? projects : pkgs;
  const seen = new Set<UvPackage>();
  const extrasDone = new Set<string>();
  const queue: { pkg: UvPackage; extras: string[]; root: boolean }[] = roots.map((pkg) => ({
    pkg,
    extras: sel.allExtras ? Object.keys(pkg.optional) : sel.extras,
    root: true,
  }));
  const out: PyDist[] = [];
  for (let q = 0; q < queue.length; q++) {
    const { pkg, extras, root } = queue[q];
    const deps = [...(seen.has(pkg) ? [] : pkg.deps)];
    if (!seen.has(pkg)) {
      seen.add(pkg);
      if (pkg.source !== 'editable' && pkg.source !== 'virtual')
        out.push({
          name: pkg.name,
          version: pkg.version,
          wheelBytes: wheelFor(pkg, env, python),
          cpu: /\+cpu$/.test(pkg.version) || /\/whl\/cpu\/?$/.test(pkg.registry ?? ''),
        });
    }
    for (const e of extras) {
      const key = `${pkg.name}@${pkg.version}[${e}]`;
      if (extrasDone.has(key)) continue;
      extrasDone.add(key);
      deps.push(...(pkg.optional[e] ?? []));
    }
    if (root)
      for (const [group, list] of Object.entries(pkg.dev))
        if ((sel.dev && group === 'dev') || sel.groups.includes(group)) deps.push(...list);
    for (const d of deps) {
      if (!markerHolds(d.marker, env)) continue;
      const target = pickFork(byName.get(d.name), d.version, env);
      if (target && (!seen.has(target) || d.extras.length)) queue.push({ pkg: target, extras: d.extras, root: false });
    }
  }
  return out;
}

/** The entry of a package a dependency means: by version when it names one, else the fork for this platform. */
function pickFork(list: UvPackage[] | undefined, version: string | undefined, env: PyEnv): UvPackage | undefined {
  if (!list) return undefined;
  if (version) return list.find((p) => p.version === version) ?? list[0];
  return (
    list.find((p) => !p.resolutionMarkers.length || p.resolutionMarkers.some((m) => markerHolds(m, env))) ?? list[0]
  );
}

/**
 * The bytes of the wheel a Linux install picks for this package: the CPython `python` build (or abi3 / py3-none),
 * manylinux or musllinux for the machine; a pure wheel when there is no platform one. Null when no such wheel has a
 * size (uv.lock records sizes for PyPI, not for every index).
 */
export function wheelFor(pkg: UvPackage, env: PyEnv, python: string): number | null {
  const cp = 'cp' + python.replace('.', '');
  let best: { rank: number; size: number } | null = null;
  for (const w of pkg.wheels) {
    if (w.size === null) continue;
    const rank = wheelRank(w.file, cp, env.machine);
    if (rank > 0 && (!best || rank > best.rank)) best = { rank, size: w.size };
  }
  return best ? best.size : null;
}

/** How well a wheel file name fits CPython `cp` on Linux `machine`: 0 not at all, higher is better. */
export function wheelRank(file: string, cp: string, machine: string): number {
  const parts = file.replace(/\.whl$/, '').split('-');
  if (parts.length < 5) return 0;
  const [py, abi, plat] = parts.slice(-3);
  const platOk = plat === 'any' || (/linux/.test(plat) && plat.includes(machine) && !/musllinux/.test(plat));
  if (!platOk) return 0;
  const pys = py.split('.');
  if (pys.includes(cp) && abi !== 'abi3') return plat === 'any' ? 3 : 5;
  if (abi === 'abi3' && pys.some((p) => /^cp3\d+$/.test(p) && Number(p.slice(3)) <= Number(cp.slice(3)))) return 4;
  if (pys.some((p) => p === 'py3' || p === 'py2.py3' || p === 'py32' || p === 'py2')) return plat === 'any' ? 2 : 4;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// poetry.lock

/** How `poetry install` was asked to install: groups kept or left out, extras. */
export interface PoetrySelection {
  only: string[] | null;
  without: string[];
  extras: string[];
  allExtras: boolean;
  onlyRoot: boolean;
}

/**
 * What `poetry install` installs from a poetry.lock (1.x `category`, 2.x `groups`); null if not one. A lock of
 * poetry 1.5-1.8 records neither: every package counts, `groupsUnknown` says so.
 */
export function poetryInstallSet(
  text: string,
  env: PyEnv,
  sel: PoetrySelection,
): (PyDist[] & { groupsUnknown?: boolean }) | null {
  if (!text.includes('[[package]]')) return null;
  if (sel.onlyRoot) return [];
  const groupsUnknown = !/^(category|groups) = /m.test(text);
  const out: PyDist[] = [];
  let cur: { name: string; version: string; optional: boolean; groups: string[]; marker?: string } | null = null;
  const flush = () => {
    if (!cur?.name) return;
    const inGroups = cur.groups.length ? cur.groups : ['main'];
    const groupOk = inGroups.some((g) => (sel.only ? sel.only.includes(g) : !sel.without.includes(g)));
    // an optional package is installed for an extra; which extra needs it is in pyproject.toml, not read: any extra
    // asked for keeps them all
    const extraOk = !cur.optional || sel.allExtras || sel.extras.length > 0;
    if (groupOk && extraOk && markerHolds(cur.marker, env))
      out.push({ name: cur.name, version: cur.version || null, wheelBytes: null });
  };
  let inPackage = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '[[package]]') {
      flush();
      cur = { name: '', version: '', optional: false, groups: [] };
      inPackage = true;
    } else if (line.startsWith('[')) inPackage = false;
    else if (cur && inPackage) {
      const eq = line.indexOf(' = ');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const val = line.slice(eq + 3);
      if (key === 'name') cur.name = normalizeDist(unquote(val));
      else if (key === 'version') cur.version = unquote(val);
      else if (key === 'optional') cur.optional = val === 'true';
      else if (key === 'category') cur.groups = [unquote(val)];
      else if (key === 'groups') cur.groups = [...val.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      else if (key === 'markers')
        cur.marker = val.startsWith('"') ? unquote(val) : /"((?:[^"\\]|\\.)*)"/.exec(val)?.[1];
    }
  }
  flush();
  return Object.assign(out, { groupsUnknown });
}

// ---------------------------------------------------------------------------------------------------------------
// Pipfile.lock

/** What `pipenv install --deploy` / `pipenv sync` installs from a Pipfile.lock: `default` (+ `develop`). */
export function pipfileInstallSet(text: string, env: PyEnv, dev: boolean): PyDist[] | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const out: PyDist[] = [];
  const seen = new Set<string>();
  for (const section of dev ? ['default', 'develop'] : ['default']) {
    const entries = (json as Record<string, unknown>)[section];
    if (!entries || typeof entries !== 'object') continue;
    for (const [name, v] of Object.entries(entries as Record<string, { version?: unknown; markers?: unknown }>)) {
      const n = normalizeDist(name);
      if (seen.has(n)) continue;
      const marker = typeof v?.markers === 'string' ? v.markers : undefined;
      if (!markerHolds(marker, env)) continue;
      seen.add(n);
      const version = typeof v?.version === 'string' ? v.version.replace(/^==/, '') : null;
      out.push({ name: n, version, wheelBytes: null });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// requirements files

export interface Requirement {
  name: string;
  /** The `==` pin, if any. */
  version: string | null;
  /** A URL, path or VCS requirement: what it installs is not known from the text. */
  direct: boolean;
}

/** A requirements file: its requirements (markers evaluated for `env`) and the files it includes with `-r`. */
export function readRequirements(text: string, env: PyEnv): { reqs: Requirement[]; includes: string[] } {
  const reqs: Requirement[] = [];
  const includes: string[] = [];
  // backslash continuations join lines (hash-pinned files: `pkg==1.0 \` + `    --hash=sha256:...`)
  for (let line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    line = line.replace(/(^|\s)#[^]*$/, '').trim();
    if (!line) continue;
    const inc = /^(?:-r|--requirement)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)/.exec(line);
    if (inc) {
      includes.push(inc[1]);
      continue;
    }
    if (line.startsWith('-')) {
      const editable = /^(?:-e|--editable)\s+(\S+)/.exec(line);
      if (editable) reqs.push(directRequirement(editable[1]));
      continue;
    }
    const semi = line.indexOf(';');
    const spec = (semi >= 0 ? line.slice(0, semi) : line).replace(/\s--hash\S*/g, '').trim();
    if (semi >= 0 && !markerHolds(line.slice(semi + 1), env)) continue;
    if (/^[a-z+]+:\/\/|^\.|^\//i.test(spec) || / @ /.test(spec)) {
      reqs.push(directRequirement(spec));
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(==\s*([^\s,;]+))?/.exec(spec);
    if (m) reqs.push({ name: normalizeDist(m[1]), version: m[4] && !m[4].includes('*') ? m[4] : null, direct: false });
  }
  return { reqs, includes };
}

/** `git+https://x/y.git#egg=name`, `name @ https://...`, `./local`: the name if written, as a direct requirement. */
function directRequirement(spec: string): Requirement {
  const egg = /#egg=([A-Za-z0-9_.-]+)/.exec(spec)?.[1];
  const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s+@\s/.exec(spec)?.[1];
  return { name: normalizeDist(egg ?? at ?? spec), version: null, direct: true };
}
