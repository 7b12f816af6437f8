// Finding steps in a model: the step at a line (hovers, inlay hints, ignore comments), the steps built before a
// step (what a later layer can undo) and after it on top of it (what an edit of it can break). By binary search or by
// walking only as far as the caller reads: a file may have tens of thousands of steps, and a stage chain thousands of
// stages. Also whether a step's cache risk is shown
// beside it (showsCacheRisk).

import type { DockerfileModel, Stage, Step } from './model';

/**
 * Where in `steps` (in line order, their line ranges apart, as a model's steps are) the step whose lines hold `line`
 * (1-based) is, by binary search; -1 when the line is in no step (a comment, a blank line, past the end).
 */
export function stepIndexAtLine(steps: readonly Pick<Step, 'line' | 'endLine'>[], line: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = steps[mid];
    if (line < s.line) hi = mid - 1;
    else if (line > s.endLine) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The step whose lines hold `line` (1-based); undefined on a line that belongs to no step. */
export function stepAtLine(model: DockerfileModel, line: number): Step | undefined {
  const i = stepIndexAtLine(model.steps, line);
  return i < 0 ? undefined : model.steps[i];
}

/**
 * The steps built before `step` in its stage and the stages it is built FROM, nearest first, read only as far as
 * the caller goes (a chain of stages may be thousands long).
 */
export function* stepsBefore(model: DockerfileModel, step: Step): Generator<Step> {
  const seen = new Set<number>();
  let stage: Stage | undefined = model.stages[step.stage];
  let k = stage ? positionIn(stage.steps, step.index) - 1 : -1;
  while (stage && !seen.has(stage.index)) {
    seen.add(stage.index);
    for (; k >= 0; k--) yield model.steps[stage.steps[k]];
    stage = stage.baseStage !== null ? model.stages[stage.baseStage] : undefined;
    k = stage ? stage.steps.length - 1 : -1;
  }
}

/**
 * The steps built after `step` on top of what it leaves: the rest of its stage, then every stage built FROM it
 * (transitively), each once, read only as far as the caller goes.
 */
export function* stepsAfter(model: DockerfileModel, step: Step): Generator<Step> {
  const stage = model.stages[step.stage];
  if (!stage) return;
  for (let k = positionIn(stage.steps, step.index) + 1; k < stage.steps.length && k > 0; k++)
    yield model.steps[stage.steps[k]];
  const children = new Map<number, Stage[]>();
  for (const s of model.stages) {
    if (s.baseStage === null || s.baseStage === s.index) continue;
    const list = children.get(s.baseStage);
    if (list) list.push(s);
    else children.set(s.baseStage, [s]);
  }
  const seen = new Set<number>([stage.index]);
  const todo = [stage.index];
  for (let t = 0; t < todo.length; t++) {
    for (const s of children.get(todo[t]) ?? []) {
      if (seen.has(s.index)) continue;
      seen.add(s.index);
      todo.push(s.index);
      for (const i of s.steps) yield model.steps[i];
    }
  }
}

/**
 * Whether the cache risk is shown beside a step (the text report, the editor's line labels and inlay hints): FROM
 * (the base the stage starts from), WORKDIR (a layer when the folder is new) and the steps that make a layer. An
 * instruction that only sets metadata (ENV, LABEL, EXPOSE, CMD, ENTRYPOINT, USER, HEALTHCHECK, ARG, STOPSIGNAL,
 * SHELL, ONBUILD, VOLUME, MAINTAINER) re-runs at no cost, so "cache high" beside it would read as an alarm; its
 * level stays in the JSON output and the hover. Global ARGs (before the first FROM) belong to no stage: not shown.
 */
export function showsCacheRisk(step: Pick<Step, 'keyword' | 'createsLayer' | 'stage'>): boolean {
  return step.stage >= 0 && (step.createsLayer || step.keyword === 'FROM' || step.keyword === 'WORKDIR');
}

/** Where `value` is in an ascending list (binary search); -1 when absent. */
export function positionIn(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else if (list[mid] > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}
