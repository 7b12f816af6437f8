// Keeping the previous version's objects where the new version computes equal ones.
//
// An editor re-analyses the whole file on every keystroke. Most steps come out exactly as before; keeping the
// previous objects for them (instead of the equal new ones) means the new ones die young, and what survives an edit
// is only what changed. On a 5,000-line file that is the difference between ~7 MB and well under 1 MB promoted to the
// old generation per edit, and it lets per-step memos (keyed by the Step object) answer across versions.
// Everything here compares values: a kept object is always equal to what was computed.

import type { CacheRisk, Flag, Heredoc, LayerSize, Step } from './model';

const sameList = <T>(
  a: readonly T[] | undefined,
  b: readonly T[] | undefined,
  same: (x: T, y: T) => boolean,
): boolean => {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
};
const is = <T>(x: T, y: T): boolean => x === y;
const sameFlag = (a: Flag, b: Flag): boolean => a.name === b.name && a.value === b.value;
const sameHeredoc = (a: Heredoc, b: Heredoc): boolean =>
  a.name === b.name &&
  a.stripTabs === b.stripTabs &&
  a.quoted === b.quoted &&
  a.body === b.body &&
  a.line === b.line &&
  a.endLine === b.endLine;

function sameVars(a: ReadonlyMap<string, string | null> | undefined, b: typeof a): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function sameHeredocs(a: readonly Heredoc[], b: readonly Heredoc[]): boolean {
  return sameList(a, b, sameHeredoc);
}

export function sameStep(a: Step, b: Step): boolean {
  return (
    a.index === b.index &&
    a.stage === b.stage &&
    a.keyword === b.keyword &&
    a.line === b.line &&
    a.endLine === b.endLine &&
    a.column === b.column &&
    a.args === b.args &&
    a.command === b.command &&
    a.execForm === b.execForm &&
    a.createsLayer === b.createsLayer &&
    a.workdir === b.workdir &&
    a.destination === b.destination &&
    a.onbuildKeyword === b.onbuildKeyword &&
    sameList(a.words, b.words, is) &&
    sameList(a.flags, b.flags, sameFlag) &&
    sameList(a.heredocs, b.heredocs, sameHeredoc) &&
    sameList(a.sources, b.sources, is) &&
    sameVars(a.vars, b.vars) &&
    (a.copyFrom === b.copyFrom ||
      (a.copyFrom !== undefined &&
        b.copyFrom !== undefined &&
        a.copyFrom.stage === b.copyFrom.stage &&
        a.copyFrom.image === b.copyFrom.image &&
        a.copyFrom.raw === b.copyFrom.raw))
  );
  // a field added to Step must be compared here too (test/unit/reuse.test.ts replays random edits against fresh
  // analyses, and a field left out shows there as a stale result)
}

export function sameSize(a: LayerSize | null, b: LayerSize | null): boolean {
  return a === b || (a !== null && b !== null && a.bytes === b.bytes && a.source === b.source && a.basis === b.basis);
}

export function sameRisk(a: CacheRisk, b: CacheRisk): boolean {
  return a === b || (a.level === b.level && a.causeLine === b.causeLine && sameList(a.reasons, b.reasons, is));
}

/**
 * `f` computed once per Step object, for facts that depend on the step alone (its text, lines, flags, words). Steps an
 * edit did not change keep their objects, so these answers carry over from version to version.
 */
export function memoPerStep<T>(f: (step: Step) => T): (step: Step) => T {
  const memo = new WeakMap<Step, { value: T }>();
  return (step) => {
    let hit = memo.get(step);
    if (!hit) memo.set(step, (hit = { value: f(step) }));
    return hit.value;
  };
}

/** `next`, or the previous object at the same place when it is equal. */
export function keep<T>(next: T, previous: T | undefined, same: (a: T, b: T) => boolean): T {
  return previous !== undefined && previous !== next && same(next, previous) ? previous : next;
}
