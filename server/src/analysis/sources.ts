// What a COPY or ADD brings in from the build context: the whole context, a source folder, source files,
// dependency manifests, other single files, remote URLs. Resolved against the context listing when it is known
// (facts.context, .dockerignore already applied), by file-name conventions otherwise.

import { isCodeName, isManifestName, looksLikeFileName, MANIFEST_EXAMPLES } from './ecosystems';
import { compileGlob, hasGlobMeta, type Glob } from './glob';
import type { BuildContextFacts, Step } from './model';
import { contextPath } from './paths';

export type SourceKind =
  /** `.`, `./`, `*`: every file of the context */
  | 'context'
  /** a folder of the context (`src/`, `app`) */
  | 'folder'
  /** program source files (`main.py`, `*.go`) */
  | 'code'
  /** dependency manifests only (`package*.json`, `go.mod`) */
  | 'manifest'
  /** another single file (`nginx.conf`, `entrypoint.sh`) */
  | 'file'
  /** `ADD https://...` or a git URL */
  | 'remote';

export interface ContextSource {
  /** As written (after variable expansion). */
  raw: string;
  /** Relative to the context root, normalised; '' is the root. */
  path: string;
  kind: SourceKind;
  /** Context files it brings in, when the context listing is known. */
  files?: string[];
}

/** The sources of a COPY/ADD that come from the build context; [] for COPY --from and heredoc copies. */
export function contextSources(step: Step, context?: BuildContextFacts): ContextSource[] {
  if ((step.keyword !== 'COPY' && step.keyword !== 'ADD') || step.copyFrom) return [];
  // the cache model, the estimator and several rules ask for the same step's sources: classify them once per step
  // and context listing
  const memo = sourcesMemo.get(step);
  if (memo && memo.context === context) return memo.sources;
  const out = readSources(step, context);
  sourcesMemo.set(step, { context, sources: out });
  return out;
}

const sourcesMemo = new WeakMap<Step, { context: BuildContextFacts | undefined; sources: ContextSource[] }>();

function readSources(step: Step, context: BuildContextFacts | undefined): ContextSource[] {
  const out: ContextSource[] = [];
  for (const raw of step.sources ?? []) {
    if (raw.startsWith('<<')) continue;
    if (isRemote(raw)) {
      out.push({ raw, path: raw, kind: 'remote' });
      continue;
    }
    out.push(classifyPath(raw, context));
  }
  return out;
}

export function isRemote(src: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(src) || /^git@/.test(src) || (/\.git(#.*)?$/.test(src) && src.includes('://'));
}

export function hasGlob(p: string): boolean {
  return hasGlobMeta(p);
}

/**
 * A source pattern compiled for matching whole context paths: Go's filepath.Match (`*`, `?`, `[...]`, `\`), with
 * `**` for any number of folders; null when malformed (it matches nothing). Linear time (analysis/glob.ts). The
 * steps of every edit ask again, so the last few hundred are kept.
 */
export function sourceGlob(pattern: string): Glob | null {
  let g = globCache.get(pattern);
  if (g === undefined) {
    if (globCache.size >= 500) globCache.clear();
    g = compileGlob(pattern, { doubleStar: true });
    globCache.set(pattern, g);
  }
  return g;
}

const globCache = new Map<string, Glob | null>();

/** Does a context source path ('' = root, globs allowed) bring in this context-relative file? */
export function sourceMatches(path: string, file: string): boolean {
  if (path === '') return true;
  if (hasGlob(path)) return sourceGlob(path)?.testPathOrParent(file) ?? false;
  return file === path || file.startsWith(path + '/');
}

/**
 * Per build context: its paths in sorted order, and the files each source path matched. Shared between steps and
 * never changed: a file of 100,000 COPY lines over a 50,000-file context asks the same few questions again, and a
 * plain path (no glob) is found by binary search instead of a pass over every file.
 */
const contextIndex = new WeakMap<
  BuildContextFacts,
  { sorted: readonly string[]; matched: Map<string, readonly string[]> }
>();
const MAX_MATCHES_KEPT = 10_000;

function matchingFiles(context: BuildContextFacts, path: string): string[] {
  let idx = contextIndex.get(context);
  if (!idx) {
    const sorted = context.files.map((f) => f.path).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    contextIndex.set(context, (idx = { sorted, matched: new Map() }));
  }
  let files = idx.matched.get(path);
  if (!files) {
    files =
      path === ''
        ? idx.sorted
        : hasGlob(path)
          ? idx.sorted.filter((f) => sourceMatches(path, f))
          : entriesUnder(idx.sorted, (p) => p, path);
    if (idx.matched.size < MAX_MATCHES_KEPT) idx.matched.set(path, files);
  }
  return files as string[];
}

/**
 * The entries of a listing sorted by path that are `path` itself or inside the folder `path`: one contiguous run,
 * found by binary search (every path starting with "path/" sorts between "path/" and "path0": '0' follows '/').
 */
export function entriesUnder<T>(sorted: readonly T[], pathOf: (entry: T) => string, path: string): T[] {
  const lowerBound = (key: string): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pathOf(sorted[mid]) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const exact = lowerBound(path);
  const out = exact < sorted.length && pathOf(sorted[exact]) === path ? [sorted[exact]] : [];
  for (let i = lowerBound(path + '/'), end = lowerBound(path + '0'); i < end; i++) out.push(sorted[i]);
  return out;
}

export function classifyPath(raw: string, context?: BuildContextFacts): ContextSource {
  const path = contextPath(raw);
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (path === '' || path === '*' || path === '**') {
    return { raw, path, kind: 'context', ...(context ? { files: matchingFiles(context, '') } : {}) };
  }
  if (context) {
    const files = matchingFiles(context, path);
    if (files.length > 0) {
      const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1));
      const isDir = !hasGlob(path) && files.some((f) => f !== path);
      let kind: SourceKind;
      if (names.every(isManifestName)) kind = 'manifest';
      else if (isDir) kind = 'folder';
      else if (names.some(isCodeName) || files.length > 3) kind = 'code';
      else kind = 'file';
      return { raw, path, kind, files };
    }
  }
  if (hasGlob(path)) {
    if (!path.includes('/') && (base.startsWith('*.') ? isCodeName('x' + base.slice(1)) : false))
      return { raw, path, kind: 'code' };
    const glob = sourceGlob(base);
    if (glob && MANIFEST_EXAMPLES.some((m) => glob.test(m))) return { raw, path, kind: 'manifest' };
    if (isCodeName(base.replace(/[*?]/g, 'x'))) return { raw, path, kind: 'code' };
    return { raw, path, kind: /\*$/.test(base) ? 'folder' : 'file' };
  }
  if (isManifestName(base)) return { raw, path, kind: 'manifest' };
  if (isCodeName(base)) return { raw, path, kind: 'code' };
  if (raw.endsWith('/') || !looksLikeFileName(base)) return { raw, path, kind: 'folder' };
  return { raw, path, kind: 'file' };
}

/** Sources that bring in program sources an ordinary edit changes (what makes a step's cache risk high). */
export function isSourceKind(kind: SourceKind): boolean {
  return kind === 'context' || kind === 'folder' || kind === 'code';
}

/** The `--mount` flags of a RUN, read into their key=value options. */
export interface Mount {
  type: string;
  target: string | null;
  source: string | null;
  from: string | null;
  raw: string;
}

export function mountsOf(step: Step): Mount[] {
  const out: Mount[] = [];
  for (const f of step.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const opts = new Map<string, string>();
    for (const part of f.value.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) opts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
      else opts.set(part.trim().toLowerCase(), '');
    }
    const target = opts.get('target') ?? opts.get('dst') ?? opts.get('destination') ?? null;
    out.push({
      type: opts.get('type') ?? 'bind',
      target,
      source: opts.get('source') ?? opts.get('src') ?? null,
      from: opts.get('from') ?? null,
      raw: f.value,
    });
  }
  return out;
}

/** Whether a cache or tmpfs mount covers this absolute path (for rules that skip cache-mounted folders). */
export function mountCovers(step: Step, path: string): boolean {
  return mountsOf(step).some(
    (m) =>
      (m.type === 'cache' || m.type === 'tmpfs') &&
      m.target !== null &&
      (path === m.target.replace(/\/+$/, '') ||
        path.startsWith(m.target.replace(/\/+$/, '') + '/') ||
        m.target.replace(/\/+$/, '').startsWith(path + '/')),
  );
}
