// The record of one build: the inputs each step's cache key depended on (buildInputs.ts), whether the build took the
// step from the cache and why it ran when it did not (forensics), how long it took the last time it ran, and its
// measured bytes. facts/buildRecords.ts keeps one per Dockerfile on disk; forecast.ts compares it with the inputs now.
// Versioned: a record of another version, or one that does not read as a record, is treated as absent.

import type { BuildInputs, Builder, StageInputs, StepInput } from './buildInputs';

export const RECORD_VERSION = 1;

export interface RecordedStep extends StepInput {
  /** This build took the step from the cache (null: the build output did not name it). */
  cached: boolean | null;
  /** Why it ran (forensics), when it did not come from the cache. */
  cause: string | null;
  /** Milliseconds it took the last time it ran: in this build, or carried from an earlier one with the same key. */
  ranMs: number | null;
  /** Its layer's bytes as measured (null: not in the image's history, or not measured). */
  bytes: number | null;
}

export interface RecordedStage extends Omit<StageInputs, 'steps'> {
  steps: RecordedStep[];
}

export interface BuildRecord {
  version: typeof RECORD_VERSION;
  /** ISO time the build finished. */
  time: string;
  dockerfile: string;
  context: string;
  builder: Builder;
  target: string | null;
  /** The build args passed, as digests of their values (the values may be secrets). */
  buildArgs: Record<string, string>;
  image: { id: string | null; tag: string | null };
  durationMs: number;
  /** The build's time outside its steps (sending the context, resolving, exporting), in ms. */
  overheadMs: number;
  stages: RecordedStage[];
  files: Record<string, string> | null;
}

/** What one build said about one step (placed on the model's step index). */
export interface StepOutcome {
  stepIndex: number;
  cached: boolean;
  durationMs?: number;
}

export interface RecordInput {
  time: string;
  dockerfile: string;
  context: string;
  buildArgs: Record<string, string>;
  image: { id: string | null; tag: string | null };
  durationMs: number;
  inputs: BuildInputs;
  outcomes: readonly StepOutcome[];
  /** Measured bytes by step index. */
  bytes: ReadonlyMap<number, number>;
  /** Forensics by step index (forecast.ts explainBuild). */
  causes: ReadonlyMap<number, string | null>;
  /** The record before this build: a step that came from the cache keeps the time it took when it last ran. */
  previous: BuildRecord | null;
}

export function makeRecord(r: RecordInput): BuildRecord {
  const byStep = new Map(r.outcomes.map((o) => [o.stepIndex, o]));
  const earlier = new Map<string, number>();
  for (const st of r.previous?.stages ?? [])
    for (const s of st.steps) if (s.ranMs !== null) earlier.set(`${st.index}\n${s.key}`, s.ranMs);
  let ran = 0;
  const stages: RecordedStage[] = r.inputs.stages.map((st) => ({
    index: st.index,
    name: st.name,
    steps: st.steps.map((s): RecordedStep => {
      const o = byStep.get(s.index);
      const cached = o ? o.cached : null;
      let ranMs: number | null = null;
      if (o && !o.cached && o.durationMs !== undefined) {
        ranMs = o.durationMs;
        if (s.keyword !== 'FROM') ran += o.durationMs;
      } else ranMs = earlier.get(`${st.index}\n${s.key}`) ?? null;
      return { ...s, cached, cause: r.causes.get(s.index) ?? null, ranMs, bytes: r.bytes.get(s.index) ?? null };
    }),
  }));
  return {
    version: RECORD_VERSION,
    time: r.time,
    dockerfile: r.dockerfile,
    context: r.context,
    builder: r.inputs.builder,
    target: r.inputs.target,
    buildArgs: r.buildArgs,
    image: r.image,
    durationMs: r.durationMs,
    overheadMs: Math.max(0, r.durationMs - ran),
    stages,
    files: r.inputs.files,
  };
}

/** A record read back from disk, or null when it is not one of this version (then there is no record). */
export function readRecord(json: unknown): BuildRecord | null {
  if (!isObject(json) || json.version !== RECORD_VERSION) return null;
  const r = json as unknown as BuildRecord;
  if (typeof r.time !== 'string' || (r.builder !== 'buildkit' && r.builder !== 'legacy')) return null;
  if (!Array.isArray(r.stages) || !r.stages.every(isStage)) return null;
  if (typeof r.durationMs !== 'number' || typeof r.overheadMs !== 'number') return null;
  if (!isObject(r.buildArgs) || !Object.values(r.buildArgs).every((v) => typeof v === 'string')) return null;
  if (r.files !== null && (!isObject(r.files) || !Object.values(r.files).every((v) => typeof v === 'string')))
    return null;
  return r;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStage(v: unknown): boolean {
  if (!isObject(v) || typeof v.index !== 'number' || !Array.isArray(v.steps)) return false;
  return (v.steps as unknown[]).every(
    (s) =>
      isObject(s) &&
      typeof s.key === 'string' &&
      typeof s.line === 'number' &&
      typeof s.keyword === 'string' &&
      typeof s.index === 'number' &&
      (s.ranMs === null || typeof s.ranMs === 'number') &&
      (s.bytes === null || typeof s.bytes === 'number'),
  );
}
