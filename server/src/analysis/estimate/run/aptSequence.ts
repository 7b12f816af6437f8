// What a RUN's apt commands leave installed, read in order as apt runs them: `apt-get install` adds the closure of
// what it names (../debian.ts; the packages named are marked manual, their dependencies auto), `apt-mark` changes
// marks (the official images' `savedAptMark="$(apt-mark showmanual)"; ... apt-mark auto '.*'; apt-mark manual
// $savedAptMark` restores the saved list), `apt-get purge|remove NAMES` removes those and what depends on them, and
// --auto-remove / `apt-get autoremove` removes the packages this RUN installed as dependencies that no manual package
// needs any more (Depends, and Recommends unless APT::AutoRemove::RecommendsImportant=false).
// Only packages this RUN installed can leave the layer smaller: those of the base and of earlier steps are in the
// layers below (a purge of one of them removes it from the image's package list, not from its size), and they are
// taken to stay (an autoremove of them is not modelled). When an apt-mark names packages through a variable that is
// not known here, what an autoremove keeps cannot be told: it is then taken to keep them all (an upper bound), and
// `uncertain` says why.

import type { DebIndex, DebPackage } from '../debianTable';
import { installClosure } from '../debian';
import type { AptInstall, AptMark, AptRemove } from '../../packageCommands';
import { MANUAL_MARK } from './flow';

export type AptOp =
  | { kind: 'install'; install: AptInstall }
  | { kind: 'remove'; remove: AptRemove }
  | { kind: 'mark'; mark: AptMark }
  /** `apt-mark showmanual` saved under a mark (flow.ts). */
  | { kind: 'save'; mark: string };

export interface AptOutcome {
  /** Packages this RUN installed that stay, in install order. */
  kept: DebPackage[];
  /** How many it installed (including those removed again). */
  installed: number;
  /** Names the index does not know; words not read as package names. */
  unknown: string[];
  unreadable: string[];
  /** Some install takes Recommends. */
  withRecs: boolean;
  /** Some removal removed a package (of this RUN or an earlier layer). */
  removedAny: boolean;
  /** Why what an autoremove keeps is not known (then it is taken to keep everything), or null. */
  uncertain: string | null;
}

interface Added {
  pkg: DebPackage;
  manual: boolean;
}

/**
 * Applies a RUN's apt operations, in order, to `installed` (the image's packages: changed in place). Without `index`
 * (no install names a package the image lacks) nothing is added.
 */
export function applyAptOps(ops: readonly AptOp[], index: DebIndex | undefined, installed: Set<string>): AptOutcome {
  const added = new Map<string, Added>();
  const saved = new Map<string, Set<string>>();
  const out: AptOutcome = {
    kept: [],
    installed: 0,
    unknown: [],
    unreadable: [],
    withRecs: false,
    removedAny: false,
    uncertain: null,
  };
  for (const op of ops) {
    if (op.kind === 'install') install(op.install, index, installed, added, out);
    else if (op.kind === 'save') saved.set(op.mark, new Set([...added].filter(([, a]) => a.manual).map(([n]) => n)));
    else if (op.kind === 'mark') mark(op.mark, added, saved, out);
    else remove(op.remove, index, installed, added, out);
  }
  for (const a of added.values()) out.kept.push(a.pkg);
  return out;
}

function install(
  inst: AptInstall,
  index: DebIndex | undefined,
  installed: Set<string>,
  added: Map<string, Added>,
  out: AptOutcome,
): void {
  const c = index ? installClosure(index, installed, inst.packages, inst.noRecommends) : { added: [], unknown: [] };
  for (const p of c.added) {
    installed.add(p.name);
    added.set(p.name, { pkg: p, manual: false });
  }
  out.installed += c.added.length;
  for (const n of inst.packages) {
    const a = added.get(n);
    if (a) a.manual = true;
  }
  out.unknown.push(...c.unknown);
  out.unreadable.push(...inst.unreadable);
  if (!inst.noRecommends) out.withRecs = true;
}

function mark(m: AptMark, added: Map<string, Added>, saved: Map<string, Set<string>>, out: AptOutcome): void {
  if (m.all) for (const a of added.values()) a.manual = m.manual;
  for (const n of m.packages) {
    const a = added.get(n);
    if (a) a.manual = m.manual;
  }
  for (const w of m.words) {
    const list = w.startsWith(MANUAL_MARK) ? saved.get(w) : undefined;
    if (!list) {
      out.uncertain ??= `apt-mark ${m.manual ? 'manual' : 'auto'} ${w}: which packages that names is not known here`;
      continue;
    }
    for (const n of list) {
      const a = added.get(n);
      if (a) a.manual = m.manual;
    }
  }
}

function remove(
  r: AptRemove,
  index: DebIndex | undefined,
  installed: Set<string>,
  added: Map<string, Added>,
  out: AptOutcome,
): void {
  for (const n of r.packages) {
    if (!installed.has(n)) continue;
    installed.delete(n);
    added.delete(n);
    out.removedAny = true;
  }
  if (r.unreadable.length) out.uncertain ??= `apt-get remove of ${r.unreadable.join(' ')}: not known here`;
  if (!index || added.size === 0) return;
  if (r.packages.length) removeBroken(index, installed, added);
  if (!r.autoRemove) return;
  if (out.uncertain) return;
  const before = added.size;
  autoRemove(index, installed, added, r.recommendsImportant);
  if (added.size < before) out.removedAny = true;
}

/** Whether some member of an alternatives group is installed (itself or a package that provides it). */
function satisfied(index: DebIndex, installed: Set<string>, group: readonly string[]): boolean {
  return group.some((a) => installed.has(a) || (index.providers(a)?.some((p) => installed.has(p)) ?? false));
}

/** Packages of this RUN whose Depends a removal broke go too (apt removes them with it); a few passes at most. */
function removeBroken(index: DebIndex, installed: Set<string>, added: Map<string, Added>): void {
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const [n, a] of added) {
      if (a.pkg.depends.every((g) => satisfied(index, installed, g))) continue;
      installed.delete(n);
      added.delete(n);
      changed = true;
    }
    if (!changed) return;
  }
}

/** apt's autoremove over this RUN's packages: what no manual package needs (transitively) goes. */
function autoRemove(index: DebIndex, installed: Set<string>, added: Map<string, Added>, recsImportant: boolean): void {
  const keep = new Set<string>();
  const stack = [...added].filter(([, a]) => a.manual).map(([n]) => n);
  while (stack.length) {
    const n = stack.pop() as string;
    const a = added.get(n);
    if (!a || keep.has(n)) continue;
    keep.add(n);
    const groups = recsImportant ? [...a.pkg.depends, ...a.pkg.recommends] : a.pkg.depends;
    for (const g of groups) {
      const by = satisfier(index, installed, g);
      if (by !== null && added.has(by) && !keep.has(by)) stack.push(by);
    }
  }
  for (const n of [...added.keys()]) {
    if (keep.has(n)) continue;
    installed.delete(n);
    added.delete(n);
  }
}

/** The installed package that satisfies a group: its first member present, or a provider of it. */
function satisfier(index: DebIndex, installed: Set<string>, group: readonly string[]): string | null {
  for (const a of group) {
    if (installed.has(a)) return a;
    const p = index.providers(a)?.find((x) => installed.has(x));
    if (p) return p;
  }
  return null;
}
