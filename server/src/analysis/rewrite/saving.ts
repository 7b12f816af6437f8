// What a rewrite saves, from the same numbers the editor shows per layer: the base-image size table and the
// step estimates (or measurements). A saving is only stated when both sides have a number.

import { lookupBaseImage } from '../estimate/baseImages';
import { estimateSizes } from '../estimate';
import { parseDockerfile } from '../parse';
import type { DockerfileModel, LayerSize, Stage } from '../model';

export interface Saving {
  /** Estimated bytes of the stage as it is, and after the rewrite. */
  before: number;
  after: number;
  bytes: number;
  /** "golang:1.22 833.5 MB -> gcr.io/distroless/static-debian12 2.0 MB": where the numbers come from. */
  basis: string;
}

/** Bytes of a base image: the FROM step's own size when the estimator gave one, else the base table. */
export function baseBytes(ref: string): { bytes: number; basis: string } | null {
  if (ref === 'scratch') return { bytes: 0, basis: 'scratch is empty' };
  const info = lookupBaseImage(ref);
  return info ? { bytes: info.bytes, basis: info.basis } : null;
}

/** Sum of the sizes of `stepIndexes` (unknown sizes count 0). */
export function stepsBytes(sizes: (LayerSize | null)[], stepIndexes: number[]): number {
  return stepIndexes.reduce((n, i) => n + (sizes[i]?.bytes ?? 0), 0);
}

/** Bytes of a stage: its base plus every layer it adds. */
export function stageBytes(model: DockerfileModel, sizes: (LayerSize | null)[], stage: Stage): number | null {
  // down the chain of stages it is built FROM, in a loop (a chain may be thousands of stages long)
  let layers = 0;
  const seen = new Set<number>();
  for (
    let s: Stage | undefined = stage;
    s && !seen.has(s.index);
    s = s.baseStage !== null ? model.stages[s.baseStage] : undefined
  ) {
    seen.add(s.index);
    const fromStep = s.steps[0];
    const fromSize = fromStep !== undefined ? sizes[fromStep] : null;
    layers += stepsBytes(sizes, s.steps.slice(1));
    if (fromSize) return fromSize.bytes + layers;
    if (s.baseStage === null) {
      const base = baseBytes(s.from);
      return base ? base.bytes + layers : null;
    }
  }
  return null;
}

/**
 * The saving of replacing `stage` by a stage FROM `newBase` that keeps `keptSteps` (their layers are still
 * built) and `added` bytes of new layers (packages installed again). Null when a base size is unknown or nothing
 * is saved.
 */
export function savingOf(
  model: DockerfileModel,
  sizes: (LayerSize | null)[],
  stage: Stage,
  newBase: string,
  keptSteps: number[],
  added = 0,
): Saving | null {
  const before = stageBytes(model, sizes, stage);
  const base = baseBytes(newBase);
  if (before === null || !base) return null;
  const after = base.bytes + stepsBytes(sizes, keptSteps) + added;
  if (after >= before) return null;
  const layers = stepsBytes(sizes, stage.steps.slice(1)) > 0 ? ' and layer estimates' : '';
  return {
    before,
    after,
    bytes: before - after,
    basis: `image ${formatSaving(before)} now, ${formatSaving(after)} on ${newBase}; base-image table${layers}`,
  };
}

/**
 * Estimated bytes of RUN lines a rewrite adds on `base` (the runtime stage's packages installed again): the same
 * estimator as every layer, on a Dockerfile of those lines alone. Unknown sizes count 0.
 */
export function runsBytes(base: string, runs: readonly string[]): number {
  if (runs.length === 0) return 0;
  const model = parseDockerfile([`FROM ${base}`, ...runs].join('\n') + '\n', {});
  return stepsBytes(estimateSizes(model, {}), model.steps.map((s) => s.index).slice(1));
}

/** "≈ 829 MB" (estimates are rounded to whole megabytes; small savings keep one decimal). */
/** The words for a saving, or for why there is no number. */
export function describeSaving(model: DockerfileModel, stage: Stage, newBase: string, saving: Saving | null): string {
  if (saving) return `saves ${formatSaving(saving.bytes)}`;
  if (!baseBytes(newBase) || stageBytes(model, [], stage) === null)
    return 'saving unknown: base image not in the size table';
  return 'saving not estimated: layer sizes unknown';
}

export function formatSaving(bytes: number): string {
  const mb = bytes / 1e6;
  return `≈ ${mb >= 10 ? Math.round(mb).toString() : mb.toFixed(1)} MB`;
}
