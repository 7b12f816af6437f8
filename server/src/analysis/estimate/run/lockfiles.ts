// The packages a Node lockfile installs, for the npm/yarn/pnpm estimate (./npm.ts): package-lock.json and
// npm-shrinkwrap.json (lockfile v1 nesting and v2/v3 `packages`), yarn.lock (classic and berry), pnpm-lock.yaml.
// Read from the text alone, line by line or as JSON (no recursion): each package with its exact version, whether it
// is a dev or optional dependency where the format says so, and the os / cpu / libc it is limited to.

export interface LockEntry {
  name: string;
  /** The exact version; null where the lockfile does not say (a git or file dependency). */
  version: string | null;
  /** A workspace or `file:` folder linked in, not installed from the registry: nothing to size. */
  link: boolean;
  /** Only a dev dependency (npm's `dev`, pnpm's `dev: true`); yarn.lock does not say. */
  dev: boolean;
  optional: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  /** npm: the entry names its tarball (`resolved`), so npm ci fetches no registry document for it. */
  resolved: boolean;
  /** Inside another package's tarball (npm's bundleDependencies): no download of its own. */
  bundled: boolean;
  /** Where it sits (npm v2/v3: `node_modules/a/node_modules/b`), for matching a local node_modules. */
  path?: string;
}

export type LockKind = 'npm' | 'yarn' | 'yarn-berry' | 'pnpm';

/** The packages of a lockfile (npm v1-v3, yarn classic/berry, pnpm); null when the file is not one or unreadable. */
export function lockEntries(text: string, path: string): { kind: LockKind; entries: LockEntry[] } | null {
  if (/(^|\/)(package-lock|npm-shrinkwrap)\.json$/.test(path)) {
    const entries = npmLockEntries(text);
    return entries && { kind: 'npm', entries };
  }
  if (/(^|\/)yarn\.lock$/.test(path)) {
    const berry = /^__metadata:/m.test(text);
    return { kind: berry ? 'yarn-berry' : 'yarn', entries: yarnLockEntries(text) };
  }
  if (/(^|\/)pnpm-lock\.yaml$/.test(path)) return { kind: 'pnpm', entries: pnpmLockEntries(text) };
  return null;
}

interface NpmEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  resolved?: string;
  inBundle?: boolean;
  bundled?: boolean;
  link?: boolean;
  dependencies?: Record<string, NpmEntry>;
}

const list = (x: unknown): string[] | undefined =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined;

/** package-lock.json / npm-shrinkwrap.json: v2/v3 `packages` paths, else v1's nested `dependencies`. */
function npmLockEntries(text: string): LockEntry[] | null {
  let j: { packages?: Record<string, NpmEntry>; dependencies?: Record<string, NpmEntry> };
  try {
    j = JSON.parse(text);
  } catch {
    return null;
  }
  if (!j || typeof j !== 'object') return null;
  if (j.packages && typeof j.packages === 'object') {
    const out: LockEntry[] = [];
    for (const [key, v] of Object.entries(j.packages)) {
      const at = key.lastIndexOf('node_modules/');
      if (at < 0 || !v || typeof v !== 'object') continue;
      out.push(npmEntry(v.name ?? key.slice(at + 'node_modules/'.length), v, key));
    }
    return out;
  }
  return j.dependencies && typeof j.dependencies === 'object' ? npmV1Entries(j.dependencies) : [];
}

function npmEntry(name: string, v: NpmEntry, path?: string): LockEntry {
  return {
    name,
    version: typeof v.version === 'string' && /^\d/.test(v.version) ? v.version : null,
    link: v.link === true,
    dev: v.dev === true,
    optional: v.optional === true || v.devOptional === true,
    os: list(v.os),
    cpu: list(v.cpu),
    libc: list(v.libc),
    resolved: typeof v.resolved === 'string' || v.inBundle === true || v.bundled === true,
    bundled: v.inBundle === true || v.bundled === true,
    path,
  };
}

/** Lockfile v1's `dependencies`, nested as deep as the file likes (a stack of levels, not recursion). */
function npmV1Entries(dependencies: Record<string, NpmEntry>): LockEntry[] {
  const out: LockEntry[] = [];
  const stack: { entries: [string, NpmEntry][]; next: number }[] = [{ entries: Object.entries(dependencies), next: 0 }];
  while (stack.length) {
    const level = stack[stack.length - 1];
    if (level.next >= level.entries.length) {
      stack.pop();
      continue;
    }
    const [k, v] = level.entries[level.next++];
    if (!v || typeof v !== 'object') continue;
    out.push(npmEntry(k, v));
    if (v.dependencies && typeof v.dependencies === 'object')
      stack.push({ entries: Object.entries(v.dependencies), next: 0 });
  }
  return out;
}

/**
 * yarn.lock, classic (`"@scope/x@^1.0.0", "@scope/x@^1.1.0":` then `  version "1.1.0"`) and berry
 * (`"x@npm:^1.0.0":` then `  version: 1.1.0`, `  conditions: os=linux & cpu=x64`, `  linkType: soft` for a
 * workspace). One entry per distinct name and version.
 */
function yarnLockEntries(text: string): LockEntry[] {
  const out = new Map<string, LockEntry>();
  let cur: LockEntry | null = null;
  const flush = (): void => {
    if (cur?.name) out.set(`${cur.name}@${cur.version}`, cur);
    cur = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      flush();
      const first = line.split(',')[0].trim().replace(/^"/, '').replace(/:$/, '').replace(/"$/, '');
      const m = /^(@?[^@]+)@/.exec(first);
      cur = m && m[1] !== '__metadata' ? newEntry(m[1]) : null;
      continue;
    }
    if (!cur || !/^ {2}\S/.test(line)) continue;
    const entry: LockEntry = cur;
    const prop = /^ {2}(\w+):?\s+"?([^"]*)"?$/.exec(line);
    if (!prop) continue;
    if (prop[1] === 'version') entry.version = /^\d/.test(prop[2]) ? prop[2] : null;
    else if (prop[1] === 'linkType' && prop[2] === 'soft') entry.link = true;
    else if (prop[1] === 'conditions') Object.assign(entry, berryConditions(prop[2]));
  }
  flush();
  return [...out.values()];
}

function newEntry(name: string): LockEntry {
  return { name, version: null, link: false, dev: false, optional: false, resolved: true, bundled: false };
}

/** Berry's `conditions: os=linux & cpu=x64 & libc=glibc`. */
function berryConditions(text: string): Pick<LockEntry, 'os' | 'cpu' | 'libc' | 'optional'> {
  const out: Pick<LockEntry, 'os' | 'cpu' | 'libc' | 'optional'> = { optional: true };
  for (const part of text.split('&')) {
    const [k, v] = part.trim().split('=');
    if (k === 'os' || k === 'cpu' || k === 'libc') out[k] = [v];
  }
  return out;
}

/**
 * pnpm-lock.yaml's `packages:` section: keys `  /name@1.0.0:` (v6), `  /name/1.0.0:` (v5), `  'name@1.0.0':` (v9),
 * with `    dev: true`, `    optional: true`, `    os: [linux]`, `    cpu: [x64]`, `    libc: [glibc]`.
 */
function pnpmLockEntries(text: string): LockEntry[] {
  const out: LockEntry[] = [];
  let inPackages = false;
  let cur: LockEntry | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inPackages = /^packages:\s*$/.test(line);
      cur = null;
      continue;
    }
    if (!inPackages) continue;
    const key = /^ {2}'?\/?((?:@[^/@\s']+\/)?[^/@\s']+)[@/]([0-9][^(:'\s_]*)[^:]*'?:\s*$/.exec(line);
    if (key) {
      out.push((cur = { ...newEntry(key[1]), version: key[2] }));
      continue;
    }
    const prop = /^ {4}(dev|optional|os|cpu|libc):\s*(.*)$/.exec(line);
    if (!cur || !prop) continue;
    if (prop[1] === 'dev' || prop[1] === 'optional') cur[prop[1]] = prop[2].trim() === 'true';
    else cur[prop[1] as 'os' | 'cpu' | 'libc'] = yamlList(prop[2]);
  }
  return out;
}

/** `[linux, darwin]` (pnpm writes flow lists on one line). */
function yamlList(text: string): string[] {
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim().replace(/^'|'$/g, ''))
    .filter(Boolean);
}
