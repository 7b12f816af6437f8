// Maps a gathered image (facts.ts) to the Dockerfile the analysis has just parsed: the history entries to lines
// (history.ts), the save tar's layers to entries, the build's records to steps (buildSteps.ts). Produces the
// measured sizes the analysis shows (MeasuredImage: per-step bytes = the `docker history` Size of the step's entry)
// and what the history tree shows (lsp/history.ts). Pure: the engine module gathers the facts (engine/measure.ts).

import type { DockerfileModel, MeasuredImage, MeasuredStep } from '../model';
import { parseDockerfile } from '../parse';
import { carryRecords, placeBuildRecords, type BuildStepRecord } from './buildSteps';
import type { ImageBuild, GatheredImage, ImageFacts, LayerAnalysis, SaveAnalysis } from './facts';
import { mapHistory, targetChain, type HistoryMapping, type MappedEntry } from './history';

/** An image mapped to one version of a Dockerfile. */
export interface MappedImage {
  imageRef: string;
  imageId: string;
  measured: MeasuredImage;
  mapping: HistoryMapping;
  save: SaveAnalysis | null;
  /** For each history entry (oldest first), its layer analysis when it has a layer. */
  entryLayers: (LayerAnalysis | null)[];
  baseImage: string | null;
  sizeKind: string;
  /** Why the layer analysis is missing, when it is. */
  layersNote?: string;
  /** The build's records placed on this version's steps (when we built the image). */
  records?: BuildStepRecord[];
  gathered: GatheredImage;
}

/** The external base image of the target's FROM chain: what the engine module looks up (null: scratch or none). */
export function baseImageOf(model: DockerfileModel, target?: string): string | null {
  const m = withTarget(model, target);
  const chain = targetChain(m);
  const first = chain.length > 0 ? m.stages[chain[0]] : undefined;
  if (!first || first.baseStage !== null || first.from.toLowerCase() === 'scratch') return null;
  return first.from;
}

/** Maps an image to this model (with the image's build target, when it was built for one). */
export function mapImage(image: ImageFacts, model: DockerfileModel): MappedImage {
  const m = withTarget(model, image.target);
  const records = image.build ? buildRecordsOn(image.build, m) : undefined;
  return assemble(image.gathered, m, records);
}

/** The model with another target stage, when `target` names a stage of it. */
function withTarget(model: DockerfileModel, target: string | undefined): DockerfileModel {
  if (target === undefined) return model;
  const i = model.stages.findIndex((s) => s.name === target.toLowerCase());
  return i < 0 || i === model.target ? model : { ...model, target: i };
}

/** The Dockerfile that was built, parsed once per build, with the build's records placed on it. */
const builtModels = new WeakMap<ImageBuild, { model: DockerfileModel; records: BuildStepRecord[] }>();

/** The build's records on this model: placed on the built text, then carried to this one when they differ. */
function buildRecordsOn(build: ImageBuild, model: DockerfileModel): BuildStepRecord[] {
  if (build.text === model.text) return placeBuildRecords(model, build.builder, build.records);
  let built = builtModels.get(build);
  if (!built) {
    const bm = parseDockerfile(build.text, {
      target: build.target,
      buildArgs: build.buildArgs,
      buildkit: build.builder === 'buildkit',
    });
    built = { model: bm, records: placeBuildRecords(bm, build.builder, build.records) };
    builtModels.set(build, built);
  }
  return carryRecords(built.records, built.model, model);
}

/** Maps gathered image facts to a Dockerfile model. */
export function assemble(g: GatheredImage, model: DockerfileModel, buildSteps?: BuildStepRecord[]): MappedImage {
  const chain = targetChain(model);
  const first = chain.length > 0 ? model.stages[chain[0]] : undefined;
  let mapping = mapHistory(model, g.history, {
    baseHistoryLength: g.baseHistoryLength,
    onbuildTriggers: g.onbuildTriggers,
  });
  if (mapping.mismatch && g.baseHistoryLength !== undefined) {
    // the local base tag may have moved since the build: trust the Dockerfile's count when it fits
    const loose = mapHistory(model, g.history, { onbuildTriggers: g.onbuildTriggers });
    if (!loose.mismatch) mapping = loose;
  }
  const entryLayers = layersForEntries(mapping.entries, g.save, g.layerCount);
  const sizeKind = g.sizeKind;
  const records = recordsByStep(buildSteps);
  const steps: MeasuredStep[] = [];
  if (!mapping.mismatch) {
    const firstFrom = first ? model.steps[first.steps[0]] : undefined;
    if (firstFrom) {
      const baseEntries = mapping.entries.filter((e) => e.origin === 'base' || e.origin === 'onbuild');
      const fromStep: MeasuredStep = {
        stepIndex: firstFrom.index,
        bytes: baseEntries.reduce((s, e) => s + e.size, 0),
        sizeKind,
      };
      addRecord(fromStep, records.get(firstFrom.index));
      steps.push(fromStep);
    }
    for (const e of mapping.entries) {
      if (e.origin !== 'dockerfile' || e.stepIndex === null) continue;
      const m: MeasuredStep = { stepIndex: e.stepIndex, bytes: e.size, sizeKind };
      addRecord(m, records.get(e.stepIndex));
      const layer = entryLayers[e.index];
      if (layer) {
        m.largestFiles = layer.largest.map((f) => ({ path: f.path, bytes: f.bytes }));
        m.wastedBytes = layer.wastedBytes;
        m.removesBytes = layer.removesBytes;
      }
      steps.push(m);
    }
  }
  const measured: MeasuredImage = { image: g.imageRef, bytes: g.bytes, sizeKind, steps };
  if (mapping.mismatch) measured.mismatch = mapping.mismatch;
  return {
    imageRef: g.imageRef,
    imageId: g.imageId,
    measured,
    mapping,
    save: g.save,
    entryLayers,
    baseImage: g.baseImage,
    sizeKind,
    layersNote: g.layersNote,
    ...(buildSteps ? { records: buildSteps } : {}),
    gathered: g,
  };
}

/** The placed records by step index (the last record of a step wins). */
export function recordsByStep(buildSteps: BuildStepRecord[] | undefined): Map<number, BuildStepRecord> {
  const records = new Map<number, BuildStepRecord>();
  for (const r of buildSteps ?? []) if (r.stepIndex !== null) records.set(r.stepIndex, r);
  return records;
}

function addRecord(m: MeasuredStep, r: BuildStepRecord | undefined): void {
  if (!r) return;
  m.cached = r.cached;
  if (r.durationMs !== undefined) m.durationMs = r.durationMs;
}

/**
 * Pairs history entries with layers: the k-th entry that is not an empty layer owns the k-th layer. empty_layer
 * comes from the image config in the save tar; without it, entries with a size are taken as layers when that
 * count fits.
 */
export function layersForEntries(
  entries: MappedEntry[],
  save: SaveAnalysis | null,
  layerCount: number,
): (LayerAnalysis | null)[] {
  const out: (LayerAnalysis | null)[] = entries.map(() => null);
  if (!save) return out;
  let nonEmpty: boolean[] | null = null;
  if (save.history && save.history.length === entries.length) nonEmpty = save.history.map((h) => !h.empty_layer);
  else if (entries.filter((e) => e.size > 0).length === layerCount) nonEmpty = entries.map((e) => e.size > 0);
  if (!nonEmpty) return out;
  let k = 0;
  entries.forEach((_, i) => {
    if (nonEmpty?.[i]) out[i] = save.layers[k++] ?? null;
  });
  return out;
}
