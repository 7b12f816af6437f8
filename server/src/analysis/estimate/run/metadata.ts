// What a RUN that only changes files' metadata adds to its layer: chown, chmod, chgrp, touch and setcap on files an
// earlier step of this Dockerfile wrote. A layer stores whole files: overlayfs copies a file up into the new layer
// when its owner, mode, times or extended attributes change, so `RUN chown -R app /app` after `COPY . /app` stores
// every copied byte a second time (measured: a 5 MB file copied, then chown -R, chmod +x and touch gave four 5 MB
// layers, with the legacy builder and with BuildKit alike). Files that came with the base image or a package
// install are not in our tables: changing those is not counted here (setcap stays a writer we cannot size, as its
// target is usually such a binary), nor is `chown --from`, which changes only the files some owner has.

import { readMetadataChange } from '../../runWrites/files';
import type { ShellCommand } from '../../shell';
import type { Step } from '../../model';
import { charge } from '../budget';
import type { StageState } from '../stage';
import { formatBytes } from '../../units';
import { isUnder, joinDir } from '../../paths';

/** Bytes of earlier layers' files a RUN's metadata commands copy into its layer, with the basis; null if none. */
export interface MetadataCopies {
  bytes: number;
  /** The basis of `bytes`; '' when no sized file is changed. */
  text: string;
  lowerBound: boolean;
  /** What is changed of files a step wrote without a size ("chmod of /usr/bin/dep (line 2 wrote it, size unknown)"). */
  unsized: string[];
}

/** Paths compared per RUN (operands × known files); beyond, the rest of the operands are not counted. */
const MAX_COMPARISONS = 2_000_000;

export function metadataCopies(step: Step, state: StageState, cmds: readonly ShellCommand[]): MetadataCopies | null {
  const hit = new Map<string, { bytes: number; from: string; lowerBound: boolean }>();
  const programs = new Set<string>();
  const unsized = new Set<string>();
  let budget = MAX_COMPARISONS;
  for (const cmd of cmds) {
    const change = readMetadataChange(cmd);
    // `chown --from`: which files it changes depends on their owners, which we do not follow
    if (!change || change.conditional) continue;
    for (const raw of change.files) {
      // a variable or a pattern we do not expand here: that operand is not counted
      if (/[$`*?[]/.test(raw)) continue;
      const path = joinDir(step.workdir, raw);
      const line = unsizedWriterOf(state, path, change.recursive);
      if (line !== null) unsized.add(`${change.program} of ${path} (line ${line} wrote there, size unknown)`);
      const exact = state.files.get(path);
      // a WORKDIR's entry is the folder itself: one directory entry, no file
      if (exact && !hit.has(path) && !exact.from.startsWith('WORKDIR')) {
        hit.set(path, { bytes: exact.bytes, from: exact.from, lowerBound: exact.lowerBound === true });
        programs.add(change.program);
      }
      if (!change.recursive || !state.files.hasFileUnder(path)) continue;
      budget -= state.files.size;
      if (budget < 0) break;
      charge(state.files.size);
      for (const [p, f] of state.files.entries()) {
        if (p === path || !isUnder(p, path) || hit.has(p) || f.from.startsWith('WORKDIR')) continue;
        hit.set(p, { bytes: f.bytes, from: f.from, lowerBound: f.lowerBound === true });
        programs.add(change.program);
      }
    }
  }
  if (hit.size === 0) return unsized.size ? { bytes: 0, text: '', lowerBound: false, unsized: [...unsized] } : null;
  let bytes = 0;
  let lowerBound = false;
  const froms = new Set<string>();
  for (const f of hit.values()) {
    bytes += f.bytes;
    lowerBound ||= f.lowerBound;
    froms.add(f.from);
  }
  const shownFrom = [...froms].slice(0, 3).join(', ') + (froms.size > 3 ? ` and ${froms.size - 3} more` : '');
  return {
    bytes,
    lowerBound,
    unsized: [...unsized],
    text:
      `${[...programs].join(', ')} copies ${hit.size} file${hit.size === 1 ? '' : 's'} (${formatBytes(bytes)}, from ${shownFrom}) ` +
      `whole into this layer: a layer stores a file again when its owner, mode or times change`,
  };
}

/**
 * The line of a step that wrote `path` (or a folder holding it; with -R also a path inside it) without a size: an
 * ADD of a URL, a `curl -o`, a copy from a stage whose output is not sized. Null when none did.
 */
function unsizedWriterOf(state: StageState, path: string, recursive: boolean): number | null {
  charge(state.unsized.size);
  for (const [p, w] of state.unsized) {
    // the folder itself (chown of a copied folder, without -R) is one entry, not its files
    if (p === path && (recursive || !w.folder)) return w.line;
    // a copy into / may have put anything anywhere: that says nothing about one path
    if (p !== '/' && p !== path && isUnder(path, p)) return w.line;
    if (recursive && p !== path && isUnder(p, path)) return w.line;
  }
  return null;
}
