// The history tree request's answer (HistoryRequest), from the analysis of the document's current version: the
// image mapped to its text, as the tree view shows it (the base grouped, then each stage of the target chain with
// its layers, sizes, cache hits and durations), and per layer what the analysis says of its step: why it ran in the
// last build (HistoryLayer.cause, forensics) and whether the next build re-runs it (rerun, forecast).

import type { MappedEntry } from '../analysis/image/history';
import { recordsByStep, type MappedImage } from '../analysis/image/map';
import type { Analysis, DockerfileModel, StepResult } from '../analysis/model';
import type { HistoryLayer, HistoryResult, HistoryStage } from '../protocol';

/** The tree view's data: the base grouped, then each stage of the target chain with its layers. */
export function historyResult(r: MappedImage, model: DockerfileModel): HistoryResult {
  const records = recordsByStep(r.records);
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

/** The result with cause/rerun set on the layers whose line is a step the analysis has these facts for. */
export function withForecast(r: HistoryResult, a: Analysis | undefined): HistoryResult {
  if (!a || r.stages.length === 0) return r;
  const byLine = new Map<number, StepResult>();
  for (const s of a.steps) if (s.forecast || s.lastBuild) byLine.set(s.step.line, s);
  if (byLine.size === 0) return r;
  const layer = (l: HistoryLayer): HistoryLayer => {
    const s = l.line !== null ? byLine.get(l.line) : undefined;
    if (!s) return l;
    const out: HistoryLayer = { ...l };
    if (s.lastBuild && !s.lastBuild.hit) out.cause = s.lastBuild.cause;
    if (s.forecast?.rerun) out.rerun = { cause: s.forecast.cause };
    return out;
  };
  return { ...r, stages: r.stages.map((st) => ({ ...st, layers: st.layers.map(layer) })) };
}
