// COPY/ADD from the build context: which context files a step's sources select, with Docker's rules.
// - A source is a path relative to the context root ('/' and './' prefixes mean the same root; '..' cannot leave it).
// - '.' (or '/') selects the whole context; a folder selects everything under it (its contents are copied).
// - A source with *, ? or [...] is a pattern matched with Go's filepath.Match against paths of the same depth:
//   '*' and '?' never match '/', classes take ranges and '^' negation, '\' escapes. A matched folder copies its
//   contents, recursively.
// The context facts already have .dockerignore applied (server/src/facts/context.ts, @balena/dockerignore).

import type { ContextFile } from '../model';

export interface Selection {
  files: ContextFile[];
  bytes: number;
  /** Sources that selected nothing (Docker fails the build on those). */
  missing: string[];
}

export function selectContextFiles(files: readonly ContextFile[], sources: readonly string[]): Selection {
  const chosen = new Map<string, ContextFile>();
  const missing: string[] = [];
  for (const raw of sources) {
    const src = cleanSource(raw);
    let hit = 0;
    if (src === '') {
      for (const f of files) chosen.set(f.path, f);
      hit = files.length;
    } else if (hasMeta(src)) {
      const re = goPatternToRegExp(src);
      const depth = src.split('/').length;
      for (const f of files) {
        const parts = f.path.split('/');
        if (parts.length < depth) continue;
        if (re && re.test(parts.slice(0, depth).join('/'))) {
          chosen.set(f.path, f);
          hit++;
        }
      }
    } else {
      const dir = src + '/';
      for (const f of files) {
        if (f.path === src || f.path.startsWith(dir)) {
          chosen.set(f.path, f);
          hit++;
        }
      }
    }
    if (hit === 0) missing.push(raw);
  }
  const list = [...chosen.values()];
  return { files: list, bytes: list.reduce((n, f) => n + f.bytes, 0), missing };
}

/** Context-relative, normalised: '' for the root. */
export function cleanSource(src: string): string {
  const parts: string[] = [];
  for (const p of src.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function hasMeta(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Go's filepath.Match syntax as a RegExp over a whole path; null for a malformed pattern (Go: ErrBadPattern). */
export function goPatternToRegExp(pattern: string): RegExp | null {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return null;
      re += escapeRe(pattern[i]);
    } else if (c === '[') {
      let j = i + 1;
      let negate = false;
      if (pattern[j] === '^') {
        negate = true;
        j++;
      }
      let cls = '';
      let first = true;
      for (; j < pattern.length && (first || pattern[j] !== ']'); j++) {
        first = false;
        let lo = pattern[j];
        if (lo === '\\') {
          j++;
          if (j >= pattern.length) return null;
          lo = pattern[j];
        }
        if (lo === '/') return null;
        if (pattern[j + 1] === '-' && pattern[j + 2] !== undefined && pattern[j + 2] !== ']') {
          let hi = pattern[j + 2];
          j += 2;
          if (hi === '\\') {
            j++;
            if (j >= pattern.length) return null;
            hi = pattern[j];
          }
          if (hi < lo) return null;
          cls += `${escapeClass(lo)}-${escapeClass(hi)}`;
        } else {
          cls += escapeClass(lo);
        }
      }
      if (j >= pattern.length || cls === '') return null;
      re += negate ? `[^/${cls}]` : `[${cls}]`;
      i = j;
    } else {
      re += escapeRe(c);
    }
  }
  try {
    return new RegExp(re + '$', 'u');
  } catch {
    return null;
  }
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function escapeClass(c: string): string {
  return /[\]\\^-]/.test(c) ? `\\${c}` : c;
}

/** Archive kinds ADD extracts, with the expansion ratio we assume (extracted bytes / archive bytes). */
const ARCHIVES: { re: RegExp; ratio: number; kind: string }[] = [
  { re: /\.(tar\.gz|tgz)$/i, ratio: 2.5, kind: 'gzip' },
  { re: /\.(tar\.bz2|tbz2?)$/i, ratio: 2.8, kind: 'bzip2' },
  { re: /\.(tar\.xz|txz)$/i, ratio: 3.3, kind: 'xz' },
  { re: /\.(tar\.zst|tzst)$/i, ratio: 2.8, kind: 'zstd' },
  { re: /\.tar$/i, ratio: 1.0, kind: 'tar' },
];

/**
 * ADD extracts local tar archives (plain or compressed) into the destination. We cannot open them here, so the
 * extracted size is the archive size times a typical ratio for software trees: gzip x2.5, bzip2 x2.8, zstd x2.8,
 * xz x3.3, plain tar x1 (compressed/on-disk ratios of 0.30-0.46 are what official image layers show, research §6).
 */
export function archiveRatio(path: string): { ratio: number; kind: string } | null {
  for (const a of ARCHIVES) if (a.re.test(path)) return { ratio: a.ratio, kind: a.kind };
  return null;
}
