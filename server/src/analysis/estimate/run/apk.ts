// RUN steps: what apk add (Alpine) adds to a layer: the packages and their dependencies the image does not have
// yet, sized from a fallback table of installed sizes (../data/apk-sizes.json; Alpine's index is not bundled),
// an average for those not in it, and the APKINDEX cache when the add keeps it. What the same RUN deletes again
// (`apk add --virtual .build-deps ... && apk del .build-deps`, or by name) costs nothing.

import { lookup } from '../../lookup';
import type { BaseImageInfo } from '../baseImages';
import type { StageState } from '../stage';
import apkTable from '../data/apk-sizes.json';
import type { ApkOp, Estimate } from './read';

type ApkTable = { base: string[]; averageBytes: number; packages: Record<string, { kib: number; deps?: string[] }> };

/** /var/cache/apk/APKINDEX.*.tar.gz for main + community when `apk add` runs without --no-cache (heuristic). */
export const APK_INDEX_BYTES = 2_500_000;

/** The packages an Alpine base starts with (none for other bases). */
export function apkBasePackages(base: BaseImageInfo | null): readonly string[] {
  return base?.family === 'alpine' ? (apkTable as ApkTable).base : [];
}

/** What the packages that stay count: known from the table, guessed at the average; and those deleted again. */
interface Counted {
  bytes: number;
  known: number;
  guessed: number;
  removed: number;
}

/**
 * A RUN's `apk add` and `apk del`, in order, as apk's world file sees them: an add puts the names (or its --virtual
 * group, which depends on them) in the world, a del takes them out, and what stays is what the world needs, with
 * dependencies from the table. Packages the image had before the RUN stay (they are in the layers below).
 */
export function apkEstimate(state: StageState, ops: readonly ApkOp[], cacheRemoved: boolean): Estimate {
  const base = state.base;
  if (!base) return { bytes: null, text: `apk on an unknown base image (${state.baseRef ?? '?'})` };
  if (base.family !== 'alpine')
    return { bytes: null, text: `apk add on a ${base.family} base: there is no apk there (the step fails)` };
  const table = apkTable as ApkTable;
  const world = new Map<string, readonly string[]>();
  const ever = new Set<string>();
  let cache = false;
  for (const op of ops) {
    if (op.kind === 'del') {
      for (const n of op.names) {
        world.delete(n);
        if (!ever.has(n)) state.apkInstalled.delete(n);
      }
      continue;
    }
    const add = op.add;
    if (add.virtual !== null) world.set(add.virtual, add.packages);
    else for (const n of add.packages) world.set(n, [n]);
    for (const n of closure(state.apkInstalled, table, add.packages)) ever.add(n);
    if (!add.noCache) cache = true;
  }
  const kept = closure(state.apkInstalled, table, [...world.values()].flat());
  const c: Counted = { bytes: 0, known: 0, guessed: 0, removed: 0 };
  for (const n of kept) {
    const row = lookup(table.packages, n);
    c.bytes += row ? row.kib * 1024 : table.averageBytes;
    if (row) c.known++;
    else c.guessed++;
    state.apkInstalled.add(n);
  }
  const stays = new Set(kept);
  for (const n of ever) if (!stays.has(n)) c.removed++;
  return apkText(c, table, cache && !cacheRemoved);
}

function apkText(c: Counted, table: ApkTable, cacheKept: boolean): Estimate {
  let bytes = c.bytes;
  const { known, guessed } = c;
  const text = [
    `apk: ${known} package${known === 1 ? '' : 's'} from a fallback table of Alpine 3.24 installed sizes (docker-library/repo-info)` +
      (guessed ? `, ${guessed} not in it at ${(table.averageBytes / 1e6).toFixed(2)} MB each (heuristic)` : ''),
  ];
  if (c.removed) text.push(`(${c.removed} installed and deleted in the same RUN: not counted)`);
  if (cacheKept) {
    bytes += APK_INDEX_BYTES;
    text.push(`+ ${(APK_INDEX_BYTES / 1e6).toFixed(1)} MB APKINDEX cache (no --no-cache; heuristic)`);
  }
  return { bytes, text: text.join(' ') };
}

/**
 * The packages `names` need that `have` does not have: them and, from the table, their dependencies, depth first in
 * the order named (bounded by the table: each name is visited once).
 */
function closure(have: ReadonlySet<string>, table: ApkTable, names: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = names.slice().reverse();
  while (stack.length) {
    const name = stack.pop() as string;
    if (have.has(name) || seen.has(name)) continue;
    seen.add(name);
    out.push(name);
    const deps = lookup(table.packages, name)?.deps ?? [];
    for (let i = deps.length - 1; i >= 0; i--) stack.push(deps[i]);
  }
  return out;
}
