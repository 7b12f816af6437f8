// RUN steps: what apk add (Alpine) adds to a layer: the packages and their dependencies the image does not have
// yet, sized from a fallback table of installed sizes (../data/apk-sizes.json; Alpine's index is not bundled),
// an average for those not in it, and the APKINDEX cache when the add keeps it. A --virtual group deleted in the
// same RUN costs nothing.

import { lookup } from '../../lookup';
import type { BaseImageInfo } from '../baseImages';
import type { ApkAdd } from '../packages';
import type { StageState } from '../stage';
import apkTable from '../data/apk-sizes.json';
import type { Estimate } from './read';

type ApkTable = { base: string[]; averageBytes: number; packages: Record<string, { kib: number; deps?: string[] }> };

/** /var/cache/apk/APKINDEX.*.tar.gz for main + community when `apk add` runs without --no-cache (heuristic). */
export const APK_INDEX_BYTES = 2_500_000;

/** The packages an Alpine base starts with (none for other bases). */
export function apkBasePackages(base: BaseImageInfo | null): readonly string[] {
  return base?.family === 'alpine' ? (apkTable as ApkTable).base : [];
}

/** What the packages added count: known from the table, guessed at the average, or deleted again. */
interface Counted {
  bytes: number;
  known: number;
  guessed: number;
  removed: number;
  /** Some add keeps the APKINDEX cache (no --no-cache). */
  cache: boolean;
}

export function apkEstimate(state: StageState, adds: ApkAdd[], dels: Set<string>, cacheRemoved: boolean): Estimate {
  const base = state.base;
  if (!base) return { bytes: null, text: `apk on an unknown base image (${state.baseRef ?? '?'})` };
  if (base.family !== 'alpine')
    return { bytes: null, text: `apk add on a ${base.family} base: there is no apk there (the step fails)` };
  const table = apkTable as ApkTable;
  const c: Counted = { bytes: 0, known: 0, guessed: 0, removed: 0, cache: false };
  for (const add of adds) {
    addPackages(state.apkInstalled, table, add, add.virtual !== null && dels.has(add.virtual), c);
    if (!add.noCache) c.cache = true;
  }
  let bytes = c.bytes;
  const { known, guessed } = c;
  const text = [
    `apk: ${known} package${known === 1 ? '' : 's'} from a fallback table of Alpine 3.24 installed sizes (docker-library/repo-info)` +
      (guessed ? `, ${guessed} not in it at ${(table.averageBytes / 1e6).toFixed(2)} MB each (heuristic)` : ''),
  ];
  if (c.removed) text.push(`(${c.removed} installed with --virtual and deleted in the same RUN: not counted)`);
  if (c.cache && !cacheRemoved) {
    bytes += APK_INDEX_BYTES;
    text.push(`+ ${(APK_INDEX_BYTES / 1e6).toFixed(1)} MB APKINDEX cache (no --no-cache; heuristic)`);
  }
  return { bytes, text: text.join(' ') };
}

/**
 * One `apk add`: its packages and, from the table, their dependencies, depth first in the order named. `gone`: a
 * --virtual group deleted in the same RUN (its packages are counted as removed, and not installed).
 */
function addPackages(installed: Set<string>, table: ApkTable, add: ApkAdd, gone: boolean, c: Counted): void {
  const stack = add.packages.slice().reverse();
  while (stack.length) {
    const name = stack.pop() as string;
    if (installed.has(name)) continue;
    const row = lookup(table.packages, name);
    if (gone) {
      c.removed++;
      for (const d of row?.deps ?? []) stack.push(d);
      continue;
    }
    installed.add(name);
    if (row) {
      c.bytes += row.kib * 1024;
      c.known++;
      for (const d of row.deps ?? []) stack.push(d);
    } else {
      c.bytes += table.averageBytes;
      c.guessed++;
    }
  }
}
