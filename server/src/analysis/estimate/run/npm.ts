// RUN steps: what npm ci / npm install / yarn / pnpm add to a layer, for the stage's target (linux, x64 unless the
// stage's platform says arm64 or arm; glibc, or musl on an Alpine base).
// - From a lockfile the stage copied in (./lockfiles.ts): its exact versions, without dev dependencies when the
//   install omits them (--omit=dev, --production, NODE_ENV=production), without optional packages for another
//   os / cpu / libc; each at the size measured for that version (../npmTable.ts), of its nearest measured version,
//   or of the table's average; a package whose folder the build context sends in node_modules (and whose version
//   there, by node_modules/.package-lock.json, is the lockfile's) at its real size.
// - Packages named on the command line (`npm install -g n8n`): the tree resolved for the table when the package is
//   a CLI the table knows, else the package alone, a lower bound (its dependencies are not known).
// - The cache the RUN leaves unless it cleans it or mounts a cache: npm's ~/.npm/_cacache holds each tarball and,
//   for a package the lockfile gives no `resolved` URL (or a named install), the registry document; yarn classic
//   keeps each package unpacked plus its tarball. pnpm's store and yarn berry's cache are counted as the install
//   itself (hard links; zips instead of node_modules).

import type { AnalysisFacts, BuildContextFacts, Step } from '../../model';
import { charge, FILES_PER_UNIT } from '../budget';
import type { NodeInstall } from '../../packageCommands';
import { npmSize, npmTable, type NpmPackageInfo, type NpmTable } from '../npmTable';
import type { StageState } from '../stage';
import { joinDir } from '../../paths';
import { lockEntries, type LockEntry, type LockKind } from './lockfiles';
import type { Estimate, RunCommands } from './read';

const LOCKFILES: Record<NodeInstall['tool'], string[]> = {
  npm: ['npm-shrinkwrap.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'],
  yarn: ['yarn.lock', 'package-lock.json', 'pnpm-lock.yaml'],
  pnpm: ['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock'],
};

/** The platform npm installs for: os, cpu and libc as package.json's `os` / `cpu` / `libc` name them. */
export interface NodeTarget {
  os: 'linux';
  cpu: string;
  libc: 'glibc' | 'musl';
}

/** One package as sized: bytes on disk, its tarball, and where the number came from. */
interface Sized {
  name: string;
  unpacked: number;
  packed: number;
  how: 'exact' | 'nearest' | 'local' | 'average';
  /** npm fetches its registry document (no `resolved` in the lockfile, or a named install). */
  packument: boolean;
  bundled: boolean;
}

/** The bytes of npm's or yarn's cache a RUN left, by step (read by the npm-cache-left rule). */
const cacheLeft = new WeakMap<Step, { bytes: number; tool: NodeInstall['tool'] }>();

/** What the last estimate of `step` found the package manager's cache to hold at the end of the RUN. */
export function nodeCacheLeft(step: Step): { bytes: number; tool: NodeInstall['tool'] } | undefined {
  return cacheLeft.get(step);
}

/** One npm/yarn/pnpm install of a RUN (whose other commands may clean npm's cache or set NODE_ENV=production). */
export function nodeEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  install: NodeInstall,
  run: RunCommands,
): Estimate {
  const target = targetOf(state, run.platform);
  const table = npmTable();
  if (install.named.length) return finish(step, install, run, namedEstimate(install, target, table));
  const lockPath = LOCKFILES[install.tool]
    .map((f) => state.files.get(joinDir(step.workdir, f))?.contextPath ?? null)
    .find((p): p is string => p !== null);
  const ctx = facts.context;
  if (!ctx) return { bytes: null, text: 'no build context' };
  if (!lockPath) return { bytes: null, text: `no lockfile copied to ${step.workdir} before this step` };
  const text = ctx.contents?.[lockPath];
  if (text === undefined) return { bytes: null, text: `the lockfile ${lockPath} was not read` };
  const lock = lockEntries(text, lockPath);
  if (!lock) return { bytes: null, text: `could not read ${lockPath}` };
  const omitDev = install.omitDev || run.nodeProduction || productionEnv(step);
  const wanted = lock.entries.filter((e) => !e.link && !(omitDev && e.dev));
  const kept = wanted.filter((e) => runsOn(e, table.get(e.name), target));
  const local = localPackages(ctx, lockPath);
  const sized = kept.map((e) => sizeEntry(e, table, local));
  // npm writes a copy of the lockfile's tree as node_modules/.package-lock.json
  const hidden = lock.kind === 'npm' ? text.length : 0;
  const what =
    `${install.tool}: ${sized.length} packages of ${lockPath} for ${targetText(target)}` +
    `${omitDev ? ' without dev dependencies' : ''}` +
    // yarn.lock never says which packages are dev dependencies, pnpm-lock v9 not in its packages
    `${omitDev && lock.kind !== 'npm' && !lock.entries.some((e) => e.dev) ? ` (${lockPath} does not mark them: all counted)` : ''}` +
    `${wanted.length > kept.length ? ` (${wanted.length - kept.length} for other platforms left out)` : ''}`;
  return finish(step, install, run, { sized, kind: lock.kind, extra: hidden, what, lowerBound: false });
}

interface Sizing {
  sized: Sized[];
  kind: LockKind;
  /** Bytes beside the packages (npm's hidden lockfile). */
  extra: number;
  what: string;
  lowerBound: boolean;
}

/** The estimate from the packages sized, with the cache the RUN leaves (recorded for the npm-cache-left rule). */
function finish(step: Step, install: NodeInstall, run: RunCommands, s: Sizing): Estimate {
  const modules = s.sized.reduce((n, p) => n + p.unpacked, s.extra);
  const cache = run.npmCacheCleaned ? 0 : cacheBytes(s.kind, s.sized, npmTable());
  if (cache > 0) cacheLeft.set(step, { bytes: cache, tool: install.tool });
  else cacheLeft.delete(step);
  const count = (how: Sized['how']) => s.sized.filter((p) => p.how === how).length;
  const t = npmTable();
  const hows = [
    count('exact') && `${count('exact')} at the size measured for their version`,
    count('nearest') && `${count('nearest')} at a nearby version's`,
    count('local') && `${count('local')} at their real size in the context's node_modules`,
    count('average') && `${count('average')} not measured, at the ${kB(t.fallback.unpackedBytes)} median`,
  ].filter(Boolean);
  const cacheText =
    cache > 0
      ? `; + ${mb(cache)} ${cacheName(s.kind)} left in the layer (no cache clean, no cache mount)`
      : run.npmCacheCleaned
        ? '; cache cleaned or mounted'
        : '';
  return {
    bytes: modules + cache,
    text: `${s.what}: ${mb(modules)}; ${hows.join(', ')} (npm table of ${t.generated})${cacheText}`,
    ...(s.lowerBound ? { lowerBound: true } : {}),
  };
}

/** `npm install [-g] pkg...`: a known CLI's tree, else the packages alone (a lower bound). */
function namedEstimate(install: NodeInstall, target: NodeTarget, table: NpmTable): Sizing {
  const sized: Sized[] = [];
  let partial = 0;
  let trees = 0;
  const other: string[] = [];
  for (const spec of install.named) {
    const { name, version } = parseSpec(spec);
    const tree = name ? table.globalTree(name) : undefined;
    if (tree) {
      trees++;
      // the tree is the one of the version resolved when the table was made: say so when another was asked for
      const root = tree.map(parseSpec).find((p) => p.name === name)?.version;
      if (version && root && version.split('.')[0] !== root.split('.')[0]) other.push(`${name}@${root}`);
      for (const at of tree) {
        const { name: n, version: v } = parseSpec(at);
        if (n && runsOn({ name: n }, table.get(n), target)) sized.push(sizeNamed(n, v, table));
      }
    } else {
      partial++;
      sized.push(sizeNamed(name ?? spec, version, table));
    }
  }
  const what =
    `${install.tool}: ${install.named.length} named package${install.named.length === 1 ? '' : 's'}` +
    (trees ? `, ${trees} with the dependency tree resolved for the table (${sized.length} packages)` : '') +
    (other.length ? ` (the tree of ${other.join(', ')}: another major version than asked)` : '') +
    (partial ? `, ${partial} without ${partial === 1 ? 'its' : 'their'} dependencies (not known: a lower bound)` : '');
  return { sized, kind: install.tool === 'yarn' ? 'yarn' : install.tool, extra: 0, what, lowerBound: partial > 0 };
}

function sizeNamed(name: string, version: string | null, table: NpmTable): Sized {
  const e: LockEntry = { name, version, link: false, dev: false, optional: false, resolved: false, bundled: false };
  return sizeEntry(e, table, null);
}

/** `@scope/name@^1.2.0` -> name and the version asked (a range as its lowest version, `@13` as 13); null: a URL. */
function parseSpec(spec: string): { name: string | null; version: string | null } {
  if (/^(https?:|git|file:|github:|\.|\/)|\.tgz$/.test(spec)) return { name: null, version: null };
  const at = spec.indexOf('@', 1);
  const name = at > 0 ? spec.slice(0, at) : spec;
  const version = at > 0 ? (/\d+(?:\.\d+){0,2}/.exec(spec.slice(at + 1))?.[0] ?? null) : null;
  return { name, version };
}

function sizeEntry(e: LockEntry, table: NpmTable, local: LocalPackages | null): Sized {
  const base = { name: e.name, packument: !e.resolved, bundled: e.bundled };
  const info = table.get(e.name);
  const hit = info && npmSize(info, e.version);
  const packed =
    hit?.packed || Math.round((hit?.unpacked ?? table.fallback.unpackedBytes) * table.fallback.packedRatio);
  const real = local && e.path ? local.sizeOf(e.path, e.version) : undefined;
  if (real !== undefined) return { ...base, unpacked: real, packed, how: 'local' };
  if (hit) return { ...base, unpacked: hit.unpacked, packed, how: hit.version === e.version ? 'exact' : 'nearest' };
  return { ...base, unpacked: table.fallback.unpackedBytes, packed, how: 'average' };
}

/** What the package manager's cache holds after the install (see the file's header). */
function cacheBytes(kind: LockKind, sized: Sized[], t: NpmTable): number {
  if (kind === 'pnpm' || kind === 'yarn-berry') return 0;
  if (kind === 'yarn') return sized.reduce((n, p) => n + p.unpacked + p.packed, 0);
  const seen = new Set<string>();
  let bytes = 0;
  let entries = 0;
  for (const p of sized) {
    if (p.bundled) continue;
    bytes += p.packed;
    entries++;
    if (p.packument && !seen.has(p.name)) {
      seen.add(p.name);
      bytes += t.get(p.name)?.packument || t.fallback.packumentBytes;
      // a document, and the tarball under a second key
      entries += 2;
    }
  }
  return bytes + entries * t.fallback.indexEntryBytes;
}

/** Whether a package is installed for the target: its os / cpu / libc (the lockfile's, else the table's). */
export function runsOn(
  e: Pick<LockEntry, 'name' | 'os' | 'cpu' | 'libc'>,
  info: NpmPackageInfo | undefined,
  t: NodeTarget,
): boolean {
  const os = e.os ?? info?.os;
  const cpu = e.cpu ?? info?.cpu;
  const libc = e.libc ?? info?.libc;
  if (!os && !cpu && !libc && !info) return !otherPlatformName(e.name, t);
  return allows(os, t.os) && allows(cpu, t.cpu) && allows(libc, t.libc);
}

/** package.json's list semantics: `["linux"]` allows linux only, `["!win32"]` all but win32. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((x) => !x.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

/** A package the table does not know whose name says another platform (`@scope/tool-darwin-arm64`). */
function otherPlatformName(name: string, t: NodeTarget): boolean {
  const m =
    /[-.](darwin|win32|windows|freebsd|openbsd|netbsd|android|sunos|aix|linux)-([a-z0-9]+)(?:-(gnu|musl|msvc))?$/.exec(
      name,
    );
  if (!m) return false;
  if (m[1] !== 'linux') return true;
  const cpu = m[2] === 'x86_64' || m[2] === 'amd64' ? 'x64' : m[2] === 'aarch64' ? 'arm64' : m[2];
  return cpu !== t.cpu || (m[3] === 'musl') !== (t.libc === 'musl');
}

/** linux, x64 unless the stage's platform says otherwise, musl on an Alpine base. */
export function targetOf(state: Pick<StageState, 'base' | 'baseRef'>, platform: string | null): NodeTarget {
  const arch = (platform ?? '').toLowerCase().split('/')[1] ?? '';
  const cpu =
    arch === 'arm64' || arch === 'aarch64'
      ? 'arm64'
      : arch === 'arm'
        ? 'arm'
        : arch === '386'
          ? 'ia32'
          : /^(ppc64le|s390x|riscv64)$/.test(arch)
            ? arch.replace(/le$/, '')
            : 'x64';
  const musl = state.base ? state.base.libc === 'musl' : /alpine/i.test(state.baseRef ?? '');
  return { os: 'linux', cpu, libc: musl ? 'musl' : 'glibc' };
}

function targetText(t: NodeTarget): string {
  return `linux/${t.cpu === 'x64' ? 'amd64' : t.cpu} ${t.libc}`;
}

/** NODE_ENV=production where the RUN runs (ENV or ARG above it, or set on the command): npm and yarn omit dev. */
function productionEnv(step: Step): boolean {
  return step.vars?.get('NODE_ENV') === 'production';
}

/** The packages a node_modules folder sent with the build context holds, with their real sizes. */
interface LocalPackages {
  /** The bytes of the folder at `path` (`node_modules/a/node_modules/b`) when its version is `version`. */
  sizeOf(path: string, version: string | null): number | undefined;
}

/**
 * The node_modules beside the lockfile, when the context sends it: file bytes per package folder. Its versions are
 * read from npm's node_modules/.package-lock.json; without one a folder is taken as the lockfile's version.
 */
function localPackages(ctx: BuildContextFacts, lockPath: string): LocalPackages | null {
  const dir = lockPath.includes('/') ? lockPath.slice(0, lockPath.lastIndexOf('/') + 1) : '';
  const prefix = `${dir}node_modules/`;
  charge(Math.ceil(ctx.files.length / FILES_PER_UNIT));
  const bytes = new Map<string, number>();
  for (const f of ctx.files) {
    if (!f.path.startsWith(prefix)) continue;
    const key = packageFolder(f.path.slice(dir.length));
    if (key) bytes.set(key, (bytes.get(key) ?? 0) + f.bytes);
  }
  if (bytes.size === 0) return null;
  const hidden = ctx.contents?.[`${prefix}.package-lock.json`];
  const versions = hidden ? lockEntries(hidden, 'package-lock.json')?.entries : undefined;
  const versionAt = new Map((versions ?? []).map((e) => [e.path ?? '', e.version]));
  return {
    sizeOf(path, version) {
      const b = bytes.get(path);
      if (b === undefined) return undefined;
      return !versions || versionAt.get(path) === version ? b : undefined;
    },
  };
}

/** `node_modules/a/node_modules/@s/b/lib/x.js` -> `node_modules/a/node_modules/@s/b`; null for .bin and the like. */
function packageFolder(rel: string): string | null {
  const at = rel.lastIndexOf('node_modules/');
  const rest = rel.slice(at + 'node_modules/'.length).split('/');
  const n = rest[0].startsWith('@') ? 2 : 1;
  if (rest.length <= n || rest[0].startsWith('.')) return null;
  return rel.slice(0, at + 'node_modules/'.length) + rest.slice(0, n).join('/');
}

function cacheName(kind: LockKind): string {
  return kind === 'yarn' ? "of yarn's cache (each package unpacked plus its tarball)" : "of npm's cache";
}

function mb(b: number): string {
  return `${(b / 1e6).toFixed(1)} MB`;
}

function kB(b: number): string {
  return `${(b / 1e3).toFixed(0)} kB`;
}
