// Measures an image and maps it to a Dockerfile: history + inspect (+ the base image's history when it is
// local), the save tar's layers for largest files and wasted space, and build records for cached/duration.
// Produces the analysis' MeasuredImage (per-step bytes = the `docker history` Size of the step's entry) and
// the HistoryResult the tree view shows.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { DockerfileModel, MeasuredImage, MeasuredStep } from '../analysis/model';
import type { HistoryLayer, HistoryResult, HistoryStage } from '../protocol';
import type { BuildStepRecord } from './progress';
import {
  fromApiHistory,
  mapHistory,
  targetChain,
  type HistoryEntry,
  type HistoryMapping,
  type MappedEntry,
} from './history';
import { analyseSaveStream, type LayerAnalysis, type SaveAnalysis } from './layers';
import { engineKindOf, sizeKindFor, type EngineKind, type InfoAnswer } from './engineKind';
import { checkImageReference } from './imageName';

export interface MeasureOptions {
  /** Step records of the build that made the image (cached, duration). */
  buildSteps?: BuildStepRecord[];
  /** Storage driver facts from /info; read from the engine when absent. */
  storageDriver?: string;
  driverStatus?: [string, string][];
  /** Docker or Podman (EngineState.kind): Podman's sizes are tar sizes. Read with the driver when absent. */
  engineKind?: EngineKind;
  /** Read the save tar for largest files and wasted space (default true). */
  layers?: boolean;
  signal?: AbortSignal;
}

export interface MeasureResult {
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
  gathered: GatheredImage;
}

interface InspectInfo {
  Id: string;
  Size: number;
  RootFS?: { Layers?: string[] };
  Config?: { OnBuild?: string[] | null };
}

/** What was read from the engine for one image; enough to map it again to an edited Dockerfile without I/O. */
export interface GatheredImage {
  imageRef: string;
  imageId: string;
  bytes: number;
  layerCount: number;
  history: HistoryEntry[];
  baseImage: string | null;
  baseHistoryLength?: number;
  onbuildTriggers: number;
  save: SaveAnalysis | null;
  sizeKind: string;
  layersNote?: string;
}

export async function measureImage(
  docker: Dockerode,
  ref: string,
  model: DockerfileModel,
  opts: MeasureOptions = {},
): Promise<MeasureResult> {
  const gathered = await gatherImage(docker, ref, model, opts);
  return assemble(gathered, model, opts.buildSteps);
}

export async function gatherImage(
  docker: Dockerode,
  ref: string,
  model: DockerfileModel,
  opts: MeasureOptions = {},
): Promise<GatheredImage> {
  // the name goes into the API path unencoded (imageName.ts)
  const image = docker.getImage(checkImageReference(ref));
  const inspect = (await image.inspect()) as unknown as InspectInfo;
  const history = fromApiHistory(
    (await image.history()) as {
      Id?: string;
      Created?: number;
      CreatedBy?: string;
      Size?: number;
      Comment?: string;
      Tags?: string[] | null;
    }[],
  );
  let driver = opts.storageDriver;
  let driverStatus = opts.driverStatus;
  let kind = opts.engineKind;
  if (driver === undefined || kind === undefined) {
    try {
      const info = (await docker.info()) as InfoAnswer;
      driver ??= info.Driver;
      driverStatus ??= info.DriverStatus;
      kind ??= engineKindOf(null, info);
    } catch {
      // unknown driver: a generic label
    }
  }
  const sizeKind = sizeKindFor(kind ?? 'docker', driver, driverStatus);

  // the external base of the target chain, when it is local: its history length and ONBUILD triggers
  const chain = targetChain(model);
  const first = chain.length > 0 ? model.stages[chain[0]] : undefined;
  let baseImage: string | null = null;
  let baseHistoryLength: number | undefined;
  let onbuildTriggers = 0;
  if (first && first.baseStage === null && first.from.toLowerCase() !== 'scratch') {
    baseImage = first.from;
    try {
      // a FROM that is no image reference (an unset ${VAR}, or a crafted path) is never sent to the engine
      const b = docker.getImage(checkImageReference(first.from));
      const bi = (await b.inspect()) as unknown as InspectInfo;
      baseHistoryLength = ((await b.history()) as unknown[]).length;
      onbuildTriggers = bi.Config?.OnBuild?.length ?? 0;
    } catch {
      // base not local (or renamed): count from the Dockerfile instead
    }
  }

  let save: SaveAnalysis | null = null;
  let layersNote: string | undefined;
  if (opts.layers !== false) {
    try {
      const stream = (await image.get()) as unknown as Readable;
      save = await analyseSaveStream(stream, opts.signal);
    } catch (err) {
      layersNote = `layer contents not read: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return {
    imageRef: ref,
    imageId: inspect.Id,
    bytes: inspect.Size,
    layerCount: inspect.RootFS?.Layers?.length ?? 0,
    history,
    baseImage,
    baseHistoryLength,
    onbuildTriggers,
    save,
    sizeKind,
    layersNote,
  };
}

/** Maps gathered image facts to a Dockerfile model (pure). */
export function assemble(g: GatheredImage, model: DockerfileModel, buildSteps?: BuildStepRecord[]): MeasureResult {
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
  const records = new Map<number, BuildStepRecord>();
  for (const r of buildSteps ?? []) if (r.stepIndex !== null) records.set(r.stepIndex, r);
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
    gathered: g,
  };
}

/** Moves build records from an older model of the file to a newer one: same instruction text, in order. */
export function carryRecords(
  records: BuildStepRecord[],
  from: DockerfileModel,
  to: DockerfileModel,
): BuildStepRecord[] {
  const used = new Set<number>();
  const out: BuildStepRecord[] = [];
  for (const r of records) {
    if (r.stepIndex === null) continue;
    const old = from.steps[r.stepIndex];
    if (!old) continue;
    const same = (s: { keyword: string; args: string; stage: number }): boolean =>
      s.keyword === old.keyword && s.args === old.args && s.stage === old.stage;
    const match = to.steps.find((s) => !used.has(s.index) && same(s));
    if (!match) continue;
    used.add(match.index);
    out.push({ ...r, stepIndex: match.index, line: match.line });
  }
  return out;
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

/** The tree view's data: the base grouped, then each stage of the target chain with its layers. */
export function historyResult(r: MeasureResult, model: DockerfileModel, buildSteps?: BuildStepRecord[]): HistoryResult {
  const records = new Map<number, BuildStepRecord>();
  for (const b of buildSteps ?? []) if (b.stepIndex !== null) records.set(b.stepIndex, b);
  const entries = r.mapping.entries;
  const baseEntries = entries.filter((e) => e.origin === 'base');
  const stages: HistoryStage[] = [];
  const byStage = new Map<number, HistoryStage>();
  for (const si of r.mapping.chain) {
    const st = model.stages[si];
    const hs: HistoryStage = { index: si, name: st.name, from: st.from, line: st.line, layers: [] };
    byStage.set(si, hs);
    stages.push(hs);
  }
  const layerOf = (e: MappedEntry): HistoryLayer => {
    const step = e.stepIndex !== null ? model.steps[e.stepIndex] : undefined;
    const la = r.entryLayers[e.index];
    const rec = e.stepIndex !== null ? records.get(e.stepIndex) : undefined;
    const layer: HistoryLayer = {
      line: step?.line ?? null,
      endLine: step?.endLine ?? null,
      createdBy: e.display,
      instruction: e.keyword || (step?.keyword ?? ''),
      bytes: e.size,
      empty: la === null && e.size === 0,
      largestFiles: la ? la.largest.map((f) => ({ path: f.path, bytes: f.bytes })) : [],
    };
    if (la) layer.wastedBytes = la.wastedBytes;
    if (rec) {
      layer.cached = rec.cached;
      if (rec.durationMs !== undefined) layer.durationMs = rec.durationMs;
    }
    return layer;
  };
  const firstStage = stages[0];
  for (const e of entries) {
    if (e.origin === 'base') continue;
    const step = e.stepIndex !== null ? model.steps[e.stepIndex] : undefined;
    const hs = (step && byStage.get(step.stage)) ?? firstStage;
    hs?.layers.push(layerOf(e));
  }
  return {
    image: r.imageRef,
    reason: r.measured.mismatch,
    bytes: r.measured.bytes,
    sizeKind: r.sizeKind,
    base:
      baseEntries.length > 0
        ? {
            image: r.baseImage ?? '(base image)',
            bytes: baseEntries.reduce((s, e) => s + e.size, 0),
            layers: baseEntries.length,
          }
        : null,
    stages,
    wastedBytes: r.save?.wastedBytes,
  };
}
