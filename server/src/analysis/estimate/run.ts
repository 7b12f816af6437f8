// RUN steps: what package installs add to a layer.
//
// apt-get install (Debian family): Installed-Size of the named packages plus the dependencies (and Recommends, unless
//   --no-install-recommends) that the base and earlier steps of the stage do not have yet, from Debian's index for
//   the base's suite (debian.ts). The official debian/ubuntu images carry /etc/apt/apt.conf.d/docker-clean, so no
//   .deb files or pkgcache.bin stay behind. On top of the packages each install rewrites dpkg's and apt's state
//   (status database, info files, debconf cache, logs: APT_STATE_OVERHEAD), and an `apt-get update` whose lists are
//   not removed in the same RUN leaves the suite's package lists in the layer (APT_LISTS_BYTES).
// apk add (Alpine): a fallback table of installed sizes (data/apk-sizes.json; Alpine's index is not bundled).
// npm ci / npm install / yarn / pnpm: the packages of the lockfile the stage copied in, sized from a node_modules
//   folder in the build context when there is one, else from a measured table / average.
// pip install: the requirements the stage copied in, sized from a measured table, else a per-package heuristic.

import type { AnalysisFacts, Step } from '../model';
import { memoPerStep } from '../reuse';
import { commandsOf } from '../shell';
import type { BaseImageInfo } from './baseImages';
import { charge, FILES_PER_UNIT } from './budget';
import {
  debianIndex,
  debianIndexDate,
  installClosure,
  knownBasePackages,
  type BasePackageSet,
  type Suite,
} from './debian';
import {
  cleansNpmCache,
  isAptUpdate,
  normalizePyName,
  readApkAdd,
  readApkDel,
  readAptInstall,
  readNodeInstall,
  readPipInstall,
  removesApkCache,
  removesAptLists,
  requirementNames,
} from './packages';
import apkTable from './data/apk-sizes.json';
import ecosystem from './data/ecosystem-sizes.json';

export interface ImageFile {
  bytes: number;
  /** Which step put it there ("COPY line 4"). */
  from: string;
  /** For files from the build context: their context path (to find lockfiles and requirements). */
  contextPath?: string;
  /** A whole tree sized as one number (node_modules, site-packages): parts of it cannot be sized. */
  aggregate?: boolean;
}

/**
 * The files a stage's steps wrote, by path, with an index of the folders above them: "is there a file under this
 * folder?" is asked on every COPY and must not scan every file (a stage may have hundreds of thousands).
 */
export class ImageFiles {
  private readonly files: Map<string, ImageFile>;
  /** Every prefix of a path that ends before one of its `/` (its folders as written). */
  private readonly folders: Set<string>;
  /** Paths too long or too deep to index (crafted ones): looked at one by one. */
  private readonly odd: string[];

  constructor(from?: ImageFiles) {
    if (from) charge(from.files.size + from.folders.size + from.odd.length);
    this.files = new Map(from?.files);
    this.folders = new Set(from?.folders);
    this.odd = from ? from.odd.slice() : [];
  }

  get size(): number {
    return this.files.size;
  }

  get(path: string): ImageFile | undefined {
    return this.files.get(path);
  }

  set(path: string, file: ImageFile): this {
    if (!this.files.has(path)) this.index(path);
    this.files.set(path, file);
    return this;
  }

  /** Every file, in the order written (charged to the estimate's budget: callers walk them all). */
  entries(): IterableIterator<[string, ImageFile]> {
    charge(this.files.size);
    return this.files.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, ImageFile]> {
    return this.entries();
  }

  /** Whether some file's path starts with `folder` + '/'. */
  hasFileUnder(folder: string): boolean {
    if (this.folders.has(folder)) return true;
    if (this.odd.length === 0) return false;
    charge(this.odd.length);
    const prefix = folder + '/';
    return this.odd.some((p) => p.startsWith(prefix));
  }

  private index(path: string): void {
    if (path.length > MAX_INDEXED_PATH) {
      this.odd.push(path);
      return;
    }
    let depth = 0;
    for (let k = path.indexOf('/', 1); k > 0; k = path.indexOf('/', k + 1)) if (++depth > MAX_INDEXED_DEPTH) break;
    if (depth > MAX_INDEXED_DEPTH) {
      this.odd.push(path);
      return;
    }
    for (let k = path.indexOf('/', 1); k > 0; k = path.indexOf('/', k + 1)) this.folders.add(path.slice(0, k));
  }
}

/** Paths longer or deeper than this are not indexed by folder (PATH_MAX is 4096; real paths are far shallower). */
const MAX_INDEXED_PATH = 4096;
const MAX_INDEXED_DEPTH = 64;

export interface StageState {
  base: BaseImageInfo | null;
  baseRef: string | null;
  /** For Debian/Ubuntu bases: the Debian suite whose index we use, why, and what the base already has. */
  debian: { suite: Suite; why: string; set: BasePackageSet; docsExcluded: boolean } | null;
  aptInstalled: Set<string> | null;
  apkInstalled: Set<string>;
  /** Paths in the stage's filesystem that steps of this Dockerfile wrote, with their sizes. */
  files: ImageFiles;
  /** RUN steps whose output we cannot size (and the folder they ran in). */
  unknownWriters: { line: number; workdir: string }[];
}

export function newStageState(hit: { info: BaseImageInfo; row: string } | null, ref: string | null): StageState {
  const base = hit?.info ?? null;
  return {
    base,
    baseRef: ref,
    debian: hit ? debianFlavour(hit.info, hit.row, ref ?? hit.row) : null,
    aptInstalled: null,
    apkInstalled: new Set(base?.family === 'alpine' ? (apkTable as ApkTable).base : []),
    files: new ImageFiles(),
    unknownWriters: [],
  };
}

export function cloneStageState(s: StageState): StageState {
  charge((s.aptInstalled?.size ?? 0) + s.apkInstalled.size + s.unknownWriters.length);
  return {
    ...s,
    aptInstalled: s.aptInstalled ? new Set(s.aptInstalled) : null,
    apkInstalled: new Set(s.apkInstalled),
    files: new ImageFiles(s.files),
    unknownWriters: s.unknownWriters.slice(),
  };
}

/** Which Debian index stands for this base, and which package set it starts with. */
function debianFlavour(info: BaseImageInfo, row: string, ref: string): StageState['debian'] {
  if (info.family !== 'debian' && info.family !== 'ubuntu') return null;
  const text = `${ref} ${row}`.toLowerCase();
  let suite: Suite;
  let why: string;
  if (/bookworm|bullseye|buster/.test(ref.toLowerCase())) {
    suite = 'bookworm';
    why = /bookworm/.test(ref) ? 'bookworm' : 'bookworm (nearest bundled index for an older Debian release)';
  } else if (/trixie/.test(ref.toLowerCase())) {
    suite = 'trixie';
    why = 'trixie';
  } else if (info.family === 'ubuntu') {
    suite = /jammy|22\.04|focal|20\.04/.test(text) ? 'bookworm' : 'trixie';
    why = `${suite} (Ubuntu's index is not bundled: Debian ${suite} stands in for it)`;
  } else if (/bookworm/.test(text)) {
    suite = 'bookworm';
    why = 'bookworm';
  } else {
    suite = 'trixie';
    why = 'trixie';
  }
  const repo = row.replace(/:[^]*$/, '');
  const tag = row.slice(repo.length + 1);
  let set: BasePackageSet = 'minbase';
  if (['node', 'python', 'golang', 'ruby', 'rust'].includes(repo) && !/slim|alpine/.test(tag)) set = 'buildpack-deps';
  else if (repo === 'mcr.microsoft.com/dotnet/sdk') set = 'buildpack-scm';
  // -slim Debian images (and the images built on them) and Ubuntu's minimized images tell dpkg not to unpack
  // documentation, man pages and translations
  const docsExcluded =
    /slim/.test(`${ref} ${tag}`) || info.family === 'ubuntu' || ['php', 'nginx', 'httpd'].includes(repo);
  return { suite, why, set, docsExcluded };
}

type ApkTable = { base: string[]; averageBytes: number; packages: Record<string, { kib: number; deps?: string[] }> };
type Eco = {
  npm: { averageBytes: number; packages: number; sizes: Record<string, number> };
  pip: { medianBytes: number; meanBytes: number; packages: number; sizes: Record<string, number>; measuredOn: string };
};

// Calibration, from real builds on Debian images made like the official ones (debootstrap minbase plus
// debuerreotype's docker-clean, docker-gzip-indexes, docker-no-languages and, for -slim, its path-excludes;
// test/engine/estimate-accuracy.test.ts). Fitting measured = a x Installed-Size + b over curl and git installs:
/**
 * b: what an install leaves besides the packages' files: dpkg's status database (rewritten whole: copy-up), its info
 * files, debconf's cache, apt's extended_states, the logs, ld.so.cache, certificates made by postinst scripts.
 */
export const APT_STATE_OVERHEAD = 1_400_000;
/** a on -slim/Ubuntu bases: the share of Installed-Size left when documentation, man pages and locales are excluded. */
export const DOCS_EXCLUDED_FACTOR = 0.9;
/** .pyc files python3's postinst byte-compiles: x Installed-Size of the python3 packages (not the -whl ones). */
export const PYC_FACTOR = 0.55;
/** /var/lib/apt/lists after `apt-get update` (main + updates + security, kept compressed by docker-gzip-indexes). */
export const APT_LISTS_BYTES: Record<Suite, number> = { bookworm: 19_860_000, trixie: 21_660_000 };
/** /var/cache/apk/APKINDEX.*.tar.gz for main + community when `apk add` runs without --no-cache (heuristic). */
export const APK_INDEX_BYTES = 2_500_000;
/** npm's cache (~/.npm/_cacache) holds the packed tarballs: ~35 % of the unpacked size (heuristic, gzip ratio). */
export const NPM_CACHE_RATIO = 0.35;
/**
 * pip's wheel cache (~/.cache/pip) without --no-cache-dir: ~30 % of the installed size (heuristic, wheel zip ratio).
 */
export const PIP_CACHE_RATIO = 0.3;

/** Commands that write (almost) nothing to the filesystem. */
const QUIET = new Set([
  'echo',
  'printf',
  'true',
  'false',
  'set',
  'export',
  'cd',
  'test',
  '[',
  'mkdir',
  'ln',
  'sleep',
  'which',
  'command',
  'exit',
  'env',
  'id',
  'whoami',
  'ls',
  'cat',
  'pwd',
  'uname',
  'node',
  'python',
  'python3',
  'java',
  'go',
  'dotnet',
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'usermod',
  'chmod',
  'chown',
  'rm',
  'apt-get',
  'apt',
  'apk',
  'update-ca-certificates',
  'ldconfig',
  'dpkg-reconfigure',
  'locale-gen',
  'sed',
  'grep',
  'touch',
  'rmdir',
  'unset',
  'source',
  '.',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'do',
  'done',
  'while',
]);

export interface RunEstimate {
  size: number | null;
  basis: string;
  note: string;
}

/** What a RUN's commands install and clean, read from its text alone: once per Step object (reuse.ts). */
const readRun = memoPerStep((step: Step) => {
  const cmds = commandsOf(step);
  const hasCacheMount = (target: RegExp) =>
    step.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && target.test(f.value ?? ''));
  const writers: string[] = [];
  for (const cmd of cmds) {
    const head = (cmd.words[0] ?? '').replace(/^.*\//, '');
    if (QUIET.has(head) || readNodeInstall(cmd) || readPipInstall(cmd)) continue;
    if ((head === 'npm' || head === 'yarn' || head === 'pnpm') && /^(cache|config|set)$/.test(cmd.words[1] ?? ''))
      continue;
    writers.push(head || cmd.text);
  }
  return {
    aptInstalls: cmds.map(readAptInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    aptUpdate: cmds.some(isAptUpdate),
    listsRemoved: cmds.some(removesAptLists),
    listsInCacheMount: hasCacheMount(/\/var\/lib\/apt/),
    apkAdds: cmds.map(readApkAdd).filter((x): x is NonNullable<typeof x> => x !== null),
    apkDels: new Set(cmds.flatMap((c) => readApkDel(c) ?? [])),
    apkCacheRemoved: cmds.some(removesApkCache) || hasCacheMount(/\/var\/cache\/apk/),
    nodeInstalls: cmds.map(readNodeInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    nodeProduction: /NODE_ENV=production/.test(step.command),
    npmCacheCleaned: cmds.some(cleansNpmCache) || hasCacheMount(/\.npm|yarn|pnpm/),
    pipInstalls: cmds.map(readPipInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    pipNoCache: /PIP_NO_CACHE_DIR/.test(step.command) || hasCacheMount(/\.cache\/pip/),
    /** Programs whose writes are not estimated. */
    writers,
  };
});

export function estimateRun(step: Step, state: StageState, facts: AnalysisFacts): RunEstimate {
  const run = readRun(step);
  const parts: string[] = [];
  const unknown: string[] = [];
  let bytes = 0;
  let estimated = false;

  // --- apt
  if (run.aptInstalls.length || run.aptUpdate) {
    const r = aptEstimateOf(step, state, run);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    bytes += r.bytes;
    parts.push(r.text);
    estimated = true;
  }

  // --- apk
  if (run.apkAdds.length) {
    const r = apkEstimate(state, run.apkAdds, run.apkDels, run.apkCacheRemoved);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    bytes += r.bytes;
    parts.push(r.text);
    estimated = true;
  }

  // --- npm / yarn / pnpm
  for (const n of run.nodeInstalls) {
    const r = nodeEstimate(step, state, facts, n.named, n.omitDev || run.nodeProduction, run.npmCacheCleaned, n.tool);
    if (r.bytes === null) {
      unknown.push(`${n.tool} install (${r.text})`);
      continue;
    }
    bytes += r.bytes;
    parts.push(r.text);
    estimated = true;
    state.files.set(joinDir(step.workdir, 'node_modules'), {
      bytes: r.bytes,
      from: `RUN line ${step.line}`,
      aggregate: true,
    });
  }

  // --- pip
  for (const p of run.pipInstalls) {
    const r = pipEstimate(step, state, facts, p.requirementFiles, p.named, p.noCacheDir || run.pipNoCache);
    if (r.bytes === null) {
      unknown.push(`pip install (${r.text})`);
      continue;
    }
    bytes += r.bytes;
    parts.push(r.text);
    estimated = true;
    state.files.set(`/pip-installed-line-${step.line}`, {
      bytes: r.bytes,
      from: `RUN line ${step.line}`,
      aggregate: true,
    });
  }

  // --- everything else
  for (const w of run.writers) unknown.push(w);
  if (unknown.length) state.unknownWriters.push({ line: step.line, workdir: step.workdir });
  const uniq = [...new Set(unknown)];
  if (!estimated) {
    if (uniq.length === 0) return { size: 0, basis: 'commands that write next to nothing (~0 B)', note: '' };
    return {
      size: null,
      basis: '',
      note: `no static estimate for what ${uniq.slice(0, 4).join(', ')}${uniq.length > 4 ? ', ...' : ''} write${uniq.length === 1 ? 's' : ''}`,
    };
  }
  const rest = uniq.length
    ? `; plus whatever ${uniq.slice(0, 4).join(', ')} write${uniq.length === 1 ? 's' : ''} (not estimated, so this is a lower bound)`
    : '';
  return { size: bytes, basis: parts.join('; ') + rest, note: '' };
}

/**
 * aptEstimate, kept per Step for the common case of an install that adds nothing new (every package already in the
 * image: the estimate then depends only on the step, the base and how many packages the image has, and changes no
 * state). On a long file most RUNs re-install what an earlier one did.
 */
function aptEstimateOf(
  step: Step,
  state: StageState,
  run: ReturnType<typeof readRun>,
): { bytes: number | null; text: string } {
  const d = state.debian;
  if (!state.base || !d) return aptEstimate(state, run, false);
  const installed = aptInstalledOf(state, d);
  // the suite's table (3 MB) is read only when an install names a package the image does not have yet
  if (run.aptInstalls.some((inst) => inst.packages.some((p) => !installed.has(p))))
    return aptEstimate(state, run, true);
  const key = `${state.base.ref}\u0000${state.base.family}\u0000${d.suite}\u0000${d.why}\u0000${d.set}\u0000${d.docsExcluded}\u0000${installed.size}`;
  const kept = aptKept.get(step);
  if (kept?.key === key) return kept.result;
  const result = aptEstimate(state, run, false);
  aptKept.set(step, { key, result });
  return result;
}

const aptKept = new WeakMap<Step, { key: string; result: { bytes: number | null; text: string } }>();

/** The packages the stage's image has so far: its base's set until a RUN adds more. */
function aptInstalledOf(state: StageState, d: NonNullable<StageState['debian']>): Set<string> {
  return (state.aptInstalled ??= new Set(knownBasePackages(d.suite, d.set)));
}

/** `needsTable`: some install names a package the image does not have (else nothing is added, no table needed). */
function aptEstimate(
  state: StageState,
  run: ReturnType<typeof readRun>,
  needsTable: boolean,
): { bytes: number | null; text: string } {
  const { aptInstalls: installs, aptUpdate: update, listsRemoved, listsInCacheMount } = run;
  const base = state.base;
  if (!base)
    return {
      bytes: null,
      text: `apt-get on an unknown base image (${state.baseRef ?? '?'}): cannot tell which packages it already has`,
    };
  if (base.family === 'alpine')
    return { bytes: null, text: 'apt-get on an Alpine base: there is no apt there (the step fails)' };
  if (!state.debian) return { bytes: null, text: `apt-get on ${base.ref} (${base.family}): no package index for it` };
  const installed = aptInstalledOf(state, state.debian);
  const index = needsTable ? debianIndex(state.debian.suite) : undefined;
  if (index === null)
    return {
      bytes: null,
      text: `no Debian ${state.debian.suite} package table: its file (data/debian-${state.debian.suite}.bin.br) is missing or damaged`,
    };
  let kib = 0;
  let pyKib = 0;
  let count = 0;
  const unknown: string[] = [];
  const unreadable: string[] = [];
  let withRecs = false;
  for (const inst of installs) {
    const c = index ? installClosure(index, installed, inst.packages, inst.noRecommends) : { added: [], unknown: [] };
    for (const p of c.added) {
      installed.add(p.name);
      kib += p.kib;
      if (/^(lib)?python3/.test(p.name) && !p.name.endsWith('-whl')) pyKib += p.kib;
    }
    count += c.added.length;
    for (const u of c.unknown) unknown.push(u);
    for (const u of inst.unreadable) unreadable.push(u);
    if (!inst.noRecommends) withRecs = true;
  }
  const docs = state.debian.docsExcluded;
  let bytes = kib * 1024 * (docs ? DOCS_EXCLUDED_FACTOR : 1);
  const text: string[] = [];
  if (installs.length) {
    text.push(
      `Installed-Size of ${count} Debian ${state.debian.why} package${count === 1 ? '' : 's'} (index ${debianIndexDate(state.debian.suite)})` +
        `${withRecs ? ' with their Recommends' : ''}, not counting the ${installed.size - count} the image already has`,
    );
    if (docs && count > 0) text.push(`x ${DOCS_EXCLUDED_FACTOR} (the image does not unpack docs, man pages, locales)`);
    if (pyKib > 0) {
      bytes += pyKib * 1024 * PYC_FACTOR;
      text.push(`+ ${((pyKib * 1024 * PYC_FACTOR) / 1e6).toFixed(1)} MB of .pyc byte-compiled at install`);
    }
    if (count > 0) {
      bytes += APT_STATE_OVERHEAD;
      text.push(`+ ${(APT_STATE_OVERHEAD / 1e6).toFixed(1)} MB dpkg/apt state rewritten by the install`);
    }
  }
  if (update && !listsRemoved && !listsInCacheMount) {
    bytes += APT_LISTS_BYTES[state.debian.suite];
    text.push(
      `${installs.length ? '+ ' : ''}${(APT_LISTS_BYTES[state.debian.suite] / 1e6).toFixed(1)} MB of Debian ${state.debian.suite} apt lists left by apt-get update (not removed in this RUN; measured)`,
    );
  } else if (update && !installs.length) {
    text.push('apt-get update whose lists are removed in the same RUN');
  }
  if (base.family === 'ubuntu' || state.debian.set !== 'minbase') text.push(`base package set: ${state.debian.set}`);
  if (unknown.length) text.push(`not in the index (not counted): ${unknown.join(', ')}`);
  if (unreadable.length) text.push(`not read: ${unreadable.join(' ')}`);
  return { bytes, text: text.join(' ') };
}

function apkEstimate(
  state: StageState,
  adds: { packages: string[]; noCache: boolean; virtual: string | null; unreadable: string[] }[],
  dels: Set<string>,
  cacheRemoved: boolean,
): { bytes: number | null; text: string } {
  const base = state.base;
  if (!base) return { bytes: null, text: `apk on an unknown base image (${state.baseRef ?? '?'})` };
  if (base.family !== 'alpine')
    return { bytes: null, text: `apk add on a ${base.family} base: there is no apk there (the step fails)` };
  const table = apkTable as ApkTable;
  let bytes = 0;
  let known = 0;
  let guessed = 0;
  let removed = 0;
  let cache = false;
  for (const add of adds) {
    const gone = add.virtual !== null && dels.has(add.virtual);
    const stack = add.packages.slice().reverse();
    while (stack.length) {
      const name = stack.pop() as string;
      if (state.apkInstalled.has(name)) continue;
      const row = table.packages[name];
      if (gone) {
        removed++;
        for (const d of row?.deps ?? []) stack.push(d);
        continue;
      }
      state.apkInstalled.add(name);
      if (row) {
        bytes += row.kib * 1024;
        known++;
        for (const d of row.deps ?? []) stack.push(d);
      } else {
        bytes += table.averageBytes;
        guessed++;
      }
    }
    if (!add.noCache) cache = true;
  }
  const text = [
    `apk: ${known} package${known === 1 ? '' : 's'} from a fallback table of Alpine 3.24 installed sizes (docker-library/repo-info)` +
      (guessed ? `, ${guessed} not in it at ${(table.averageBytes / 1e6).toFixed(2)} MB each (heuristic)` : ''),
  ];
  if (removed) text.push(`(${removed} installed with --virtual and deleted in the same RUN: not counted)`);
  if (cache && !cacheRemoved) {
    bytes += APK_INDEX_BYTES;
    text.push(`+ ${(APK_INDEX_BYTES / 1e6).toFixed(1)} MB APKINDEX cache (no --no-cache; heuristic)`);
  }
  return { bytes, text: text.join(' ') };
}

/** The context path of a file the stage put at `imagePath`. */
function contextFileAt(state: StageState, imagePath: string): string | null {
  return state.files.get(imagePath)?.contextPath ?? null;
}

function nodeEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  named: string[],
  omitDev: boolean,
  cacheCleaned: boolean,
  tool: string,
): { bytes: number | null; text: string } {
  const eco = ecosystem as Eco;
  const ctx = facts.context;
  const withCache = (b: number, text: string) =>
    tool === 'npm' && !cacheCleaned
      ? {
          bytes: b * (1 + NPM_CACHE_RATIO),
          text: `${text} + ${Math.round(NPM_CACHE_RATIO * 100)} % for npm's cache of the tarballs (heuristic; npm cache clean --force or a cache mount avoids it)`,
        }
      : { bytes: b, text };
  if (named.length) {
    const b = named.reduce((n, p) => n + (eco.npm.sizes[p.replace(/@[^@/]*$/, '')] ?? eco.npm.averageBytes), 0);
    return withCache(
      b,
      `${tool}: ${named.length} named package${named.length === 1 ? '' : 's'} (their dependencies not counted) at measured sizes or the ${(eco.npm.averageBytes / 1e3).toFixed(0)} kB average`,
    );
  }
  const lockPath = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml']
    .map((f) => contextFileAt(state, joinDir(step.workdir, f)))
    .find((p): p is string => p !== null);
  if (!ctx) return { bytes: null, text: 'no build context' };
  // a node_modules folder in the context (not ignored) is the real thing
  const dir = lockPath && lockPath.includes('/') ? lockPath.slice(0, lockPath.lastIndexOf('/') + 1) : '';
  charge(Math.ceil(ctx.files.length / FILES_PER_UNIT));
  const nm = ctx.files.filter((f) => f.path.startsWith(`${dir}node_modules/`));
  if (nm.length) {
    const b = nm.reduce((n, f) => n + f.bytes, 0);
    return withCache(b, `${tool}: the real size of ${dir}node_modules in the build context (${nm.length} files)`);
  }
  if (!lockPath) return { bytes: null, text: `no lockfile copied to ${step.workdir} before this step` };
  const lock = ctx.contents?.[lockPath];
  if (lock === undefined) return { bytes: null, text: `the lockfile ${lockPath} was not read` };
  const pkgs = lockPackages(lock, lockPath, omitDev);
  if (!pkgs) return { bytes: null, text: `could not read ${lockPath}` };
  let measured = 0;
  let b = 0;
  for (const p of pkgs) {
    const s = eco.npm.sizes[p];
    if (s !== undefined) {
      measured++;
      b += s;
    } else b += eco.npm.averageBytes;
  }
  return withCache(
    b,
    `${tool}: ${pkgs.length} packages in ${lockPath}${omitDev ? ' (without dev dependencies)' : ''}: ${measured} at sizes measured on a real node_modules, ` +
      `${pkgs.length - measured} at the measured average of ${(eco.npm.averageBytes / 1e3).toFixed(0)} kB (${eco.npm.packages} packages)`,
  );
}

/** Package names in a lockfile (npm v1-v3, yarn classic/berry, pnpm). */
export function lockPackages(text: string, path: string, omitDev: boolean): string[] | null {
  if (/package-lock\.json$|npm-shrinkwrap\.json$/.test(path)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return null;
    }
    const j = json as {
      packages?: Record<string, { dev?: boolean }>;
      dependencies?: Record<string, { dev?: boolean }>;
    };
    if (j.packages) {
      return Object.entries(j.packages)
        .filter(([k, v]) => k.includes('node_modules/') && !(omitDev && v.dev))
        .map(([k]) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
    }
    if (j.dependencies) {
      type Deps = Record<string, { dev?: boolean; dependencies?: Deps }>;
      const out: string[] = [];
      // depth first in the order written, with a stack of levels, not recursion: the lockfile is the context's, and
      // its nesting as deep as it likes
      const stack: { entries: [string, Deps[string]][]; next: number }[] = [
        { entries: Object.entries(j.dependencies as Deps), next: 0 },
      ];
      while (stack.length) {
        const level = stack[stack.length - 1];
        if (level.next >= level.entries.length) {
          stack.pop();
          continue;
        }
        const [k, v] = level.entries[level.next++];
        if (omitDev && v?.dev) continue;
        out.push(k);
        if (v?.dependencies) stack.push({ entries: Object.entries(v.dependencies), next: 0 });
      }
      return out;
    }
    return [];
  }
  if (/yarn\.lock$/.test(path)) {
    const names = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
      if (/^\s|^#|^$/.test(line)) continue;
      const first = line
        .split(',')[0]
        .replace(/^"|"$|:$/g, '')
        .replace(/"?:?$/, '');
      const m = /^(@?[^@]+)@/.exec(first);
      if (m) names.add(m[1]);
    }
    return [...names];
  }
  if (/pnpm-lock\.yaml$/.test(path)) {
    const names = new Set<string>();
    for (const line of text.split(/\r?\n/)) {
      const m = /^ {2}'?\/?(@?[^@\s'/]+(?:\/[^@\s']+)?)@[^:]*'?:\s*$/.exec(line);
      if (m) names.add(m[1]);
    }
    return [...names];
  }
  return null;
}

function pipEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  reqFiles: string[],
  named: string[],
  noCache: boolean,
): { bytes: number | null; text: string } {
  const eco = ecosystem as Eco;
  const names: string[] = [];
  const read: string[] = [];
  for (const rf of reqFiles) {
    const imagePath = rf.startsWith('/') ? rf : joinDir(step.workdir, rf);
    const entry = state.files.get(normalizeAbs(imagePath));
    if (!entry?.contextPath)
      return { bytes: null, text: `${rf} was not copied from the build context before this step` };
    const text = contextText(entry.contextPath);
    if (text === null) return { bytes: null, text: `${entry.contextPath} was not read` };
    for (const n of requirementNames(text)) names.push(n);
    read.push(entry.contextPath);
  }
  for (const n of named) {
    if (n === '.' || n.startsWith('./') || n.startsWith('/'))
      return { bytes: null, text: `pip install of the local project ${n}` };
    names.push(normalizePyName(n.replace(/[=<>!~;@ ][^]*$/, '')));
  }
  if (!names.length) return { bytes: 0, text: 'pip install with nothing to install' };
  const fallback = 2_000_000;
  let b = 0;
  let measured = 0;
  for (const n of names) {
    const s = eco.pip.sizes[n];
    if (s !== undefined) {
      b += s;
      measured++;
    } else b += fallback;
  }
  let text =
    `pip: ${names.length} requirement${names.length === 1 ? '' : 's'}${read.length ? ` from ${read.join(', ')}` : ''}: ${measured} at installed sizes measured on ` +
    `${eco.pip.measuredOn}, ${names.length - measured} at 2 MB each (heuristic between the median ${(eco.pip.medianBytes / 1e6).toFixed(1)} MB and mean ` +
    `${(eco.pip.meanBytes / 1e6).toFixed(1)} MB of ${eco.pip.packages} measured distributions; unlisted dependencies are not counted)`;
  if (!noCache) {
    b *= 1 + PIP_CACHE_RATIO;
    text += ` + ${Math.round(PIP_CACHE_RATIO * 100)} % for pip's wheel cache (no --no-cache-dir; heuristic)`;
  }
  return { bytes: b, text };

  function contextText(p: string): string | null {
    return facts.context?.contents?.[p] ?? null;
  }
}

function joinDir(dir: string, name: string): string {
  return normalizeAbs(`${dir}/${name}`);
}

/** An absolute, normalised POSIX path: `/a/./b/../c/` -> `/a/c`. */
export function normalizeAbs(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}
