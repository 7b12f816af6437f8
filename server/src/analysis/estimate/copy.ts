// COPY/ADD from the build context: which context files a step's sources select, and where each lands.
// - A source is a path relative to the context root ('/' and './' prefixes mean the same root; '..' cannot leave it).
// - '.' (or '/') selects the whole context; a folder selects everything under it (its contents are copied).
// - A source with *, ? or [...] is a pattern matched with Go's filepath.Match against paths of the same depth.
// Which files a source brings in is decided in one place, sources.ts (sourceEntry, selectedFiles), which the cache
// model uses too. The context facts already have .dockerignore applied (server/src/facts/context.ts).

import { contextPath } from '../paths';
import { pathBelowEntry, selectedFiles, sourceEntry } from '../sources';
import type { BuildContextFacts, ContextFile } from '../model';

export interface Selection {
  /** Each context file once, in the order the sources first selected them. */
  files: ContextFile[];
  /** Their bytes, each file counted once. */
  bytes: number;
  /** Every (source, file) pair: a file two sources bring in lands twice when they put it in different places. */
  picks: { file: ContextFile; below: string }[];
  /** Sources that selected nothing (Docker fails the build on those). */
  missing: string[];
}

export function selectContextFiles(context: BuildContextFacts, sources: readonly string[]): Selection {
  const chosen = new Map<string, ContextFile>();
  const picks: Selection['picks'] = [];
  const missing: string[] = [];
  for (const raw of sources) {
    const src = contextPath(raw);
    const files = selectedFiles(context, src);
    for (const f of files) {
      if (!chosen.has(f.path)) chosen.set(f.path, f);
      picks.push({ file: f, below: pathBelowEntry(sourceEntry(src, f.path) ?? '', f.path) });
    }
    if (files.length === 0) missing.push(raw);
  }
  const list = [...chosen.values()];
  return { files: list, bytes: list.reduce((n, f) => n + f.bytes, 0), picks, missing };
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
