// What an ordinary edit touches: the one definition that the cache levels (a step is "high" when an ordinary edit
// re-runs it), the "A typical source edit re-runs N layer steps" summary, the hover's rebuild cost and the
// copy-before-install rule all use.
//
// An ordinary edit is the change a developer makes most days: to the application's sources. A COPY/ADD (or a bind
// mount) of files it touches re-runs on such an edit; one of files it does not touch re-runs only when those files
// change. Which files those are, from the best evidence there is, in this order:
// 1. The whole context (`COPY . .`, `ADD . .`): always, whatever the history (any edit reaches it).
// 2. Dependency manifests and lockfiles (`package.json`, `Cargo.lock`, ...) and dependency artifacts (`node_modules`,
//    `BOOT-INF/lib`, `target/dependency`, a `vendor` folder beside its lock file, ...): never. They change with the
//    dependencies, whatever the history says.
// 3. Git history, once at least MIN_EVIDENCE_COMMITS of the commits read (facts/git.ts reads the last 50, with the
//    paths each touched) changed the build context: files that changed in at least ORDINARY_EDIT_SHARE of those
//    commits are what an ordinary edit touches; files that changed in fewer are not ("these files changed in 1 of the
//    last 50 commits"). Files no commit read touched are left to 4: git cannot tell an untracked build output (a
//    prebuilt binary changes with every source edit) from a tracked file nobody changed.
// 4. Otherwise by what the files are. Not touched by an ordinary edit: infrastructure folders (INFRA_FOLDERS,
//    INFRA_TOP_FOLDERS), single build, start and configuration files (build scripts, entrypoints, configs, keys,
//    licences: infraFileWhat), files installed where an image keeps its own programs and settings (/usr/local/bin,
//    /etc, ...), an unpacked jar's META-INF, and a local crate beside a Rust application crate. Touched: the
//    application's source folders and files (a folder, program source by its extension), and prebuilt outputs of
//    the sources (`dist/`, `target/`...). Any other single file is neither (the cache model keeps it medium, as
//    before, without claiming either).

import { contextSources, hasGlob, sourceMatches, type ContextSource } from './sources';
import type { AnalysisFacts, BuildContextFacts, GitChurn, Step } from './model';

/** Fewer commits that changed the build context than this, and git history is not used to judge files. */
export const MIN_EVIDENCE_COMMITS = 10;
/** Files changed in at least this share of the commits that changed the build context are ordinary edits. */
export const ORDINARY_EDIT_SHARE = 0.1;

export type EditClass =
  /** the whole context: any edit */
  | 'context'
  /** the application's sources (by kind, or by git history) */
  | 'source'
  /** dependency manifests and lockfiles */
  | 'manifest'
  /** dependency artifacts */
  | 'dependencies'
  /** build, start and deployment files */
  | 'infrastructure'
  /** files git history shows an ordinary edit does not change */
  | 'rare'
  /** another single file: not judged either way */
  | 'file';

export interface SourceJudgement {
  /** Does an ordinary edit change these files (the step re-runs: high)? */
  ordinary: boolean;
  class: EditClass;
  /** For the classes an ordinary edit does not touch: what the files are, for the reason ("a build script"). */
  what?: string;
  /** Git history, when it decided: in how many of the commits that changed the build context these files changed. */
  evidence?: { changed: number; of: number; commits: number };
}

/** Judges one context source of a step whose destination is `destination` (COPY/ADD; none for a bind mount). */
export function judgeSource(
  source: ContextSource,
  destination: string | undefined,
  facts: AnalysisFacts,
): SourceJudgement {
  if (source.kind === 'context') return { ordinary: true, class: 'context' };
  if (source.kind === 'manifest') return { ordinary: false, class: 'manifest', what: 'dependency manifests' };
  if (source.kind === 'remote') return { ordinary: false, class: 'file' };
  if (dependencyFolder(source.path, facts.context))
    return { ordinary: false, class: 'dependencies', what: 'dependency artifacts' };
  const evidence = gitEvidence(source, facts);
  if (evidence) {
    return evidence.changed >= ordinaryThreshold(evidence.of)
      ? { ordinary: true, class: 'source', evidence }
      : { ordinary: false, class: 'rare', evidence };
  }
  const what = infrastructureWhat(source, destination, facts.context);
  if (what === BUILD_OUTPUT) return { ordinary: true, class: 'source' };
  if (what) return { ordinary: false, class: 'infrastructure', what };
  if (source.kind === 'file') return { ordinary: false, class: 'file' };
  return { ordinary: true, class: 'source' };
}

/** The fewest commits (of `of` that changed the build context) in which an ordinary edit's files changed. */
export function ordinaryThreshold(of: number): number {
  return Math.max(1, Math.ceil(ORDINARY_EDIT_SHARE * of));
}

/** Does this COPY/ADD bring in files an ordinary edit changes? Kept per Step while the facts are the same objects. */
export function bringsOrdinaryEdit(step: Step, facts: AnalysisFacts): boolean {
  const kept = bringsMemo.get(step);
  if (kept && kept.context === facts.context && kept.git === facts.git) return kept.value;
  const value = contextSources(step, facts.context).some((s) => judgeSource(s, step.destination, facts).ordinary);
  bringsMemo.set(step, { context: facts.context, git: facts.git, value });
  return value;
}

const bringsMemo = new WeakMap<
  Step,
  { context: AnalysisFacts['context']; git: AnalysisFacts['git']; value: boolean }
>();

// ---------------------------------------------------------------------------------------------------------------
// Git history

/**
 * In how many of the recent commits any file these sources bring in changed; null without history. Without
 * per-commit path lists, the busiest matching file (a lower bound).
 */
export function changedIn(sources: readonly ContextSource[], facts: AnalysisFacts): number | null {
  const git = facts.git;
  if (!git || git.commits === 0) return null;
  const inContext = listingPaths(facts.context);
  const matches = (p: string) => (!inContext || inContext.has(p)) && sources.some((s) => sourceMatches(s.path, p));
  if (git.commitPaths) return git.commitPaths.filter((paths) => paths.some(matches)).length;
  let best = 0;
  for (const [p, n] of git.changes) if (matches(p)) best = Math.max(best, n);
  return best;
}

/** The history's verdict on one source, when it has one (see 3. above). */
function gitEvidence(source: ContextSource, facts: AnalysisFacts): SourceJudgement['evidence'] | null {
  const git = facts.git;
  if (!git || !git.commitPaths) return null;
  const of = commitsInContext(git, facts.context);
  if (of < MIN_EVIDENCE_COMMITS) return null;
  const changed = changedIn([source], facts) ?? 0;
  return changed === 0 ? null : { changed, of, commits: git.commits };
}

/** How many of the commits read changed a file of the build context (as the listing has it, when known). */
function commitsInContext(git: GitChurn, context: BuildContextFacts | undefined): number {
  const perContext = contextCommitsMemo.get(git) ?? new Map<BuildContextFacts | undefined, number>();
  contextCommitsMemo.set(git, perContext);
  let n = perContext.get(context);
  if (n === undefined) {
    const inContext = listingPaths(context);
    n = (git.commitPaths ?? []).filter((paths) => paths.some((p) => !inContext || inContext.has(p))).length;
    if (perContext.size > 8) perContext.clear();
    perContext.set(context, n);
  }
  return n;
}

const contextCommitsMemo = new WeakMap<GitChurn, Map<BuildContextFacts | undefined, number>>();

/** The paths of a complete context listing, as a set (made once per listing); null when unknown or truncated. */
function listingPaths(context: BuildContextFacts | undefined): Set<string> | null {
  if (!context || context.truncated) return null;
  let paths = listingPathsOf.get(context);
  if (!paths) {
    paths = new Set<string>();
    for (const f of context.files) paths.add(f.path);
    listingPathsOf.set(context, paths);
  }
  return paths;
}

const listingPathsOf = new WeakMap<BuildContextFacts, Set<string>>();

// ---------------------------------------------------------------------------------------------------------------
// Dependency artifacts

/** Folders that hold installed or downloaded dependencies, wherever they sit. */
const DEPENDENCY_FOLDERS = new Set([
  'node_modules',
  'bower_components',
  'jspm_packages',
  '.yarn',
  '.pnpm-store',
  'site-packages',
  'dist-packages',
  '.venv',
  'wheels',
  'wheelhouse',
  '.m2',
  // Spring Boot's layered jar, extracted (`java -Djarmode=layertools -jar app.jar extract`)
  'dependencies',
  'snapshot-dependencies',
  'spring-boot-loader',
]);

/** Folder pairs that hold dependency jars or bundles: BOOT-INF/lib, target/dependency (maven copy-dependencies)... */
const DEPENDENCY_PAIRS: readonly [string, string][] = [
  ['boot-inf', 'lib'],
  ['web-inf', 'lib'],
  ['target', 'dependency'],
  ['target', 'dependencies'],
  ['target', 'lib'],
  ['build', 'dependency'],
  ['vendor', 'bundle'],
];

/** The lock files (or vendor manifests) that make a `vendor` folder beside them a folder of dependencies. */
const VENDOR_LOCKS = ['composer.lock', 'Gemfile.lock', 'go.mod', 'Cargo.lock'];

/** Folder pairs inside an unpacked jar that hold the application's own classes, not its dependencies. */
const APPLICATION_PAIRS: readonly [string, string][] = [
  ['boot-inf', 'classes'],
  ['web-inf', 'classes'],
];

/**
 * Does this source path name (or lie inside) a folder of dependency artifacts? The deepest marker decides: Spring's
 * guide unpacks the application jar into target/dependency, whose BOOT-INF/lib holds the dependencies and whose
 * BOOT-INF/classes and META-INF the application.
 */
export function dependencyFolder(path: string, context: BuildContextFacts | undefined): boolean {
  const segs = path.toLowerCase().split('/');
  let dependencies = false;
  for (let i = 0; i < segs.length; i++) {
    const pair = (pairs: readonly [string, string][]) =>
      i > 0 && pairs.some(([a, b]) => segs[i - 1] === a && segs[i] === b);
    if (DEPENDENCY_FOLDERS.has(segs[i]) || pair(DEPENDENCY_PAIRS)) dependencies = true;
    else if (segs[i] === 'vendor' && vendorBesideLock(path.split('/').slice(0, i).join('/'), context))
      dependencies = true;
    else if (segs[i] === 'meta-inf' || pair(APPLICATION_PAIRS)) dependencies = false;
  }
  return dependencies;
}

function vendorBesideLock(parent: string, context: BuildContextFacts | undefined): boolean {
  const paths = listingPaths(context);
  if (!paths) return false;
  const at = (name: string) => (parent ? `${parent}/${name}` : name);
  return VENDOR_LOCKS.some((l) => paths.has(at(l))) || paths.has(at('vendor/modules.txt'));
}

// ---------------------------------------------------------------------------------------------------------------
// Infrastructure

/** Folders of build, start and deployment files wherever they sit (lowercase). */
const INFRA_FOLDERS = new Set([
  'docker',
  '.docker',
  'dockerfiles',
  'docker-entrypoint.d',
  'docker-entrypoint-initdb.d',
  'rootfs',
  's6-overlay',
  '.devcontainer',
  '.github',
]);

/** Such folders at the top of the context only (deeper, the same names are often the application's own). */
const INFRA_TOP_FOLDERS = new Set([
  'scripts',
  'script',
  'etc',
  'sbin',
  'conf',
  'deploy',
  'deployment',
  'deployments',
  '.deploy',
  'ci',
  '.ci',
  '.gitlab',
  '.circleci',
  'compose',
  'k8s',
  'kubernetes',
  'helm',
  'infra',
  'ops',
  'nginx',
  'supervisor',
  'systemd',
  '.cargo',
  '.mvn',
  'gradle',
]);

/** Prebuilt outputs of the sources (`dist/app`, `.build/linux-amd64/prometheus`): they change with every edit. */
const BUILD_OUTPUT_FOLDERS = new Set(['dist', 'build', '.build', 'target', 'out', 'bin', 'release', 'publish']);

/** Where an image keeps its own programs and settings: what is copied there is not the application's source. */
const IMAGE_PLACES = [
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/sbin',
  '/sbin',
  '/etc',
  '/usr/local/etc',
  '/usr/share/keyrings',
  '/docker-entrypoint.d',
  '/docker-entrypoint-initdb.d',
];

/** infrastructureWhat's answer for prebuilt outputs of the sources: not infrastructure, an ordinary edit's. */
const BUILD_OUTPUT = 'a build output';

/**
 * What the source's files are when they are infrastructure ("a build script"); BUILD_OUTPUT for a prebuilt output
 * of the sources (named build and start files inside one are still infrastructure); null otherwise.
 */
function infrastructureWhat(
  source: ContextSource,
  destination: string | undefined,
  context: BuildContextFacts | undefined,
): string | null {
  const segs = source.path.split('/');
  const lower = segs.map((s) => s.toLowerCase());
  if (lower.some((s) => INFRA_FOLDERS.has(s)) || INFRA_TOP_FOLDERS.has(lower[0])) return 'build and deployment files';
  // a single file (or a pattern for files): by its name
  const folder = isFolderSource(source);
  if (!folder) {
    const what = infraFileWhat(segs[segs.length - 1]);
    if (what) return what;
  }
  // an unpacked jar's META-INF (the manifest, maven's pom.properties) changes with the version, not with an edit
  if (lower[lower.length - 1] === 'meta-inf') return 'jar metadata';
  if (lower.some((s) => BUILD_OUTPUT_FOLDERS.has(s))) return BUILD_OUTPUT;
  if (localCrate(source, context)) return "a local crate beside the application's own";
  if (source.kind !== 'code' && destination) {
    const place = IMAGE_PLACES.find((p) => destination === p || destination.startsWith(p + '/'));
    if (place) return `installed in ${place}`;
    const base = destination.slice(destination.lastIndexOf('/') + 1);
    if (!folder && base.startsWith('.') && base.length > 1) return `a settings file (${base.slice(0, 40)})`;
  }
  return null;
}

/** Is the source known to be a folder (written with a trailing slash, or the listing has files under it)? */
export function isFolderSource(source: ContextSource): boolean {
  if (source.raw.endsWith('/')) return true;
  if (hasGlob(source.path)) return false; // a pattern for files (`*.sh`); one that matches folders is rare
  return source.files !== undefined && source.files.some((f) => f !== source.path);
}

const SCRIPT_EXTENSIONS = new Set(['sh', 'bash', 'zsh', 'ps1', 'bat', 'cmd']);
const CONFIG_EXTENSIONS = new Set([
  'conf',
  'cnf',
  'ini',
  'cfg',
  'toml',
  'yml',
  'yaml',
  'json',
  'properties',
  'env',
  'xml',
  'service',
]);
const KEY_EXTENSIONS = new Set(['key', 'pem', 'crt', 'cer', 'asc', 'gpg', 'pub']);
/** Extensionless names (or name stems) of start scripts. */
const SCRIPT_NAMES = new Set([
  'entrypoint',
  'docker-entrypoint',
  'start',
  'run',
  'prestart',
  'healthcheck',
  'wait-for',
  'wait-for-it',
  'mvnw',
  'gradlew',
]);
const BUILD_SCRIPTS = new Set(['build.rs', 'makefile', 'gnumakefile', 'justfile']);
const BUILD_SETTINGS = new Set([
  'rust-toolchain',
  '.nvmrc',
  '.node-version',
  '.python-version',
  '.ruby-version',
  '.tool-versions',
  '.dockerignore',
  '.gitignore',
  '.gitattributes',
  '.editorconfig',
  'procfile',
  'dockerfile',
]);

/** What a single file is, by its name, when it is a build, start or configuration file; null otherwise. */
export function infraFileWhat(name: string): string | null {
  const n = name.toLowerCase();
  const dot = n.lastIndexOf('.');
  const ext = dot > 0 ? n.slice(dot + 1) : '';
  if (BUILD_SCRIPTS.has(n)) return 'a build script';
  if (BUILD_SETTINGS.has(n) || n.startsWith('rust-toolchain.') || n.startsWith('dockerfile.') || ext === 'dockerfile')
    return 'build settings';
  if (/\.config\.[cm]?[jt]s$/.test(n) || /^tsconfig.*\.json$/.test(n) || /^\.(babel|eslint|prettier)rc/.test(n))
    return 'build settings';
  if (/^(licen[cs]e|notice|copying|readme|changelog|authors)([.-]|$)/.test(n)) return 'documentation or a licence';
  if (SCRIPT_EXTENSIONS.has(ext)) return 'a script';
  if (KEY_EXTENSIONS.has(ext)) return 'a key or certificate';
  if (CONFIG_EXTENSIONS.has(ext) || n === '.env' || n.startsWith('.env.')) return 'a configuration file';
  if (ext === '' && (SCRIPT_NAMES.has(n) || /^(start|install|setup)[-_]|[-_](entrypoint|start)$/.test(n)))
    return 'a script';
  return null;
}

/**
 * A folder with its own Cargo.toml copied from a context whose root is a Rust application crate (Cargo.toml and
 * src/): a crate of the workspace beside the application's own (procedural macros, a shared library), which a
 * dependency pre-build needs and an ordinary edit of the application does not change. Judged by layout only; git
 * history, when there is enough of it, decides first.
 */
function localCrate(source: ContextSource, context: BuildContextFacts | undefined): boolean {
  const paths = listingPaths(context);
  if (!context || !paths || source.path === '' || hasGlob(source.path)) return false;
  if (!paths.has(`${source.path}/Cargo.toml`) || !paths.has('Cargo.toml')) return false;
  let app = rootSrc.get(context);
  if (app === undefined) rootSrc.set(context, (app = context.files.some((f) => f.path.startsWith('src/'))));
  return app;
}

/** Per context listing: does the root hold a src/ folder? */
const rootSrc = new WeakMap<BuildContextFacts, boolean>();
