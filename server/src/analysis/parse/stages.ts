// Finding stages: a `FROM name` or `--from=name|index` reference resolved to an earlier stage, and the target stage
// (`--target`, else the last) with the stages its FROM chain goes through.

import type { Stage } from '../model';

/** The last stage named `name` before stage `before`, from the by-name index (indexes ascending). */
export function lastNamed(byName: ReadonlyMap<string, readonly number[]>, name: string, before: number): number | null {
  const list = byName.get(name);
  if (!list) return null;
  // only the current stage can be at or after `before`, so at most one step back
  for (let k = list.length - 1; k >= 0 && k >= list.length - 2; k--) if (list[k] < before) return list[k];
  return null;
}

/** The stage a `--from=` names (case-insensitively) or numbers, if it comes before stage `current`. */
export function findStageOrIndex(
  byName: ReadonlyMap<string, readonly number[]>,
  ref: string,
  current: number,
): number | null {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n < current ? n : null;
  }
  return lastNamed(byName, ref.toLowerCase(), current);
}

function findStage(stages: Stage[], ref: string): number | null {
  const name = ref.toLowerCase();
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i].name === name) return i;
  return null;
}

/** The stage built: the one `target` names, else (with a problem if it names none) the last; -1 without stages. */
export function pickTarget(stages: Stage[], target: string | undefined, problems: string[]): number {
  if (stages.length === 0) return -1;
  if (target) {
    const s = findStage(stages, target);
    if (s !== null) return s;
    problems.push(`target stage "${target}" not found; using the last stage`);
  }
  return stages.length - 1;
}

/** Marks the target stage final, and it and the stages it is built FROM (transitively) as reaching it. */
export function markReach(stages: Stage[], target: number): void {
  stages[target].final = true;
  const seen = new Set<number>();
  for (let s: number | null = target; s !== null && !seen.has(s); s = stages[s].baseStage) {
    seen.add(s);
    stages[s].reachesFinal = true;
  }
}
