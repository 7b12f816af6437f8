// What a COPY or ADD brings in from the build context: the whole context, a source folder, source files,
// dependency manifests, other single files, remote URLs. Resolved against the context listing when it is known
// (facts.context, .dockerignore already applied), by file-name conventions otherwise. Which of them an ordinary edit
// changes is ordinaryEdit.ts's question; which files a source brings in is answered here only (sourceEntry).

import { isCodeName, isManifestName, looksLikeFileName, MANIFEST_EXAMPLES } from './ecosystems';
import { compileGlob, hasGlobMeta, type Glob } from './glob';
import type { BuildContextFacts, ContextFile, Step } from './model';
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
 * A source pattern compiled as Docker matches it: Go's filepath.Match (`*`, `?`, `[...]`, `\`) against context paths
 * of the pattern's depth, so `*` never crosses a folder and `**` is the same as `*` (BuildKit and the legacy builder
 * walk the context and filepath.Match each path below the pattern's literal folder). Null when malformed (it
 * matches nothing). Linear time (analysis/glob.ts). The steps of every edit ask again, so the last few hundred are
 * kept.
 */
export function sourceGlob(pattern: string): Glob | null {
  let g = globCache.get(pattern);
  if (g === undefined) {
    if (globCache.size >= 500) globCache.clear();
    g = compileGlob(pattern);
    globCache.set(pattern, g);
  }
  return g;
}

const globCache = new Map<string, Glob | null>();

/**
 * The COPY source matcher, the one place that decides which context entries a source brings in (the cache model,
 * the churn counts and the size estimate all ask here). `path` is a normalised context path ('' = the root, globs
 * allowed), `file` a context file. Returns the entry the source names that brings the file in: '' for the whole
 * context, the source itself for a plain file or folder, or the file's first segments a pattern matched (a matched
 * folder brings everything under it); null when the source does not bring the file in. The builder copies a named
 * folder's contents, so the file lands at its path relative to that entry.
 */
export function sourceEntry(path: string, file: string): string | null {
  if (path === '') return '';
  if (!hasGlob(path))
    return file === path || (file.startsWith(path) && file.charCodeAt(path.length) === SLASH) ? path : null;
  const head = firstSegments(file, segmentCount(path));
  return head !== null && sourceGlob(path)?.test(head) === true ? head : null;
}

/** Does a context source path ('' = root, globs allowed) bring in this context-relative file? */
export function sourceMatches(path: string, file: string): boolean {
  return sourceEntry(path, file) !== null;
}

/** Where a file a source brought in lands, relative to the destination folder: its path below the entry. */
export function pathBelowEntry(entry: string, file: string): string {
  if (entry === '') return file;
  return file === entry ? file.slice(file.lastIndexOf('/') + 1) : file.slice(entry.length + 1);
}

const SLASH = 0x2f;

function segmentCount(path: string): number {
  let n = 1;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) n++;
  return n;
}

/** The path's first `n` segments, or null when it has fewer. */
function firstSegments(path: string, n: number): string | null {
  let end = -1;
  for (let i = 0; i < n; i++) {
    if (end === path.length) return null;
    const slash = path.indexOf('/', end + 1);
    end = slash < 0 ? path.length : slash;
  }
  return path.slice(0, end);
}

/**
 * Per build context: its files in path order, and the files each source path selected. Shared between steps and
 * never changed: a file of 100,000 COPY lines over a 50,000-file context asks the same few questions again, and a
 * plain path (no glob) is found by binary search instead of a pass over every file.
 */
const contextIndex = new WeakMap<
  BuildContextFacts,
  { sorted: readonly ContextFile[]; matched: Map<string, Selected> }
>();
const MAX_MATCHES_KEPT = 10_000;

interface Selected {
  files: readonly ContextFile[];
  paths: readonly string[];
}

/** The context files a source path ('' = root, globs allowed) brings in, in path order (sourceEntry decides). */
export function selectedFiles(context: BuildContextFacts, path: string): readonly ContextFile[] {
  return selected(context, path).files;
}

function selected(context: BuildContextFacts, path: string): Selected {
  let idx = contextIndex.get(context);
  if (!idx) {
    const sorted = context.files.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    contextIndex.set(context, (idx = { sorted, matched: new Map() }));
  }
  let sel = idx.matched.get(path);
  if (!sel) {
    const files =
      path === ''
        ? idx.sorted
        : hasGlob(path)
          ? idx.sorted.filter((f) => sourceEntry(path, f.path) !== null)
          : entriesUnder(idx.sorted, (f) => f.path, path);
    sel = { files, paths: files.map((f) => f.path) };
    if (idx.matched.size < MAX_MATCHES_KEPT) idx.matched.set(path, sel);
  }
  return sel;
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
    return { raw, path, kind: 'context', ...(context ? { files: selected(context, '').paths as string[] } : {}) };
  }
  if (context) {
    const files = selected(context, path).paths as string[];
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
