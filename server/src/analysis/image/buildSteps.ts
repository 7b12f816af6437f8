// Places a build's step records (what the builder called each step, in its order) on the Dockerfile's steps.
// The legacy builder numbers every instruction in file order (`Step N/M : INSTR`); BuildKit numbers per stage the
// steps that make a vertex (`[stage-1 2/4] RUN ...`), with the base image's ONBUILD triggers right after FROM.
// Records are placed on the Dockerfile that was built, then carried to the text being analysed (same instruction
// text, in order), so cache hits and durations move with their lines while the file is edited.

import type { DockerfileModel, Step } from '../model';
import type { BuilderStep } from './facts';

export interface BuildStepRecord extends BuilderStep {
  /** Index into DockerfileModel.steps, or null when the builder's step could not be placed. */
  stepIndex: number | null;
  /** Line of that step (1-based), when placed. */
  line: number | null;
}

/** `[stage-0 2/4] RUN ...`, `[build 1/3] FROM ...`, `[2/2] COPY ...` (platform prefix tolerated). */
export interface VertexStep {
  stage: string | null;
  index: number;
  total: number;
  text: string;
}

const VERTEX_NAME = /^\[(?:([^ \]]+\/[^ \]]+) )?(?:([^ \]]+) )?\s*(\d+)\/(\d+)\] (?:ONBUILD )?([\s\S]*)$/;

export function parseVertexName(name: string): VertexStep | null {
  const m = VERTEX_NAME.exec(name);
  if (!m) return null;
  return { stage: m[2] ?? null, index: Number(m[3]), total: Number(m[4]), text: m[5] };
}

const LEGACY_STEP = /^Step (\d+)\/(\d+) : ([\s\S]*)$/;
const BUILDAH_STEP = /^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/(\d+): ([\s\S]*)$/;

/**
 * A step header of the legacy builder (`Step 3/5 : RUN make`: numbered over the whole file) or of buildah, Podman's
 * builder (`STEP 2/4: RUN make`, in a multi-stage file `[2/3] STEP 2/4: RUN make`: numbered per stage, whose
 * 0-based index `stage` gives): its number, total and instruction text.
 */
export function parseLegacyStepName(name: string): { n: number; total: number; text: string; stage?: number } | null {
  const m = LEGACY_STEP.exec(name);
  if (m) return { n: Number(m[1]), total: Number(m[2]), text: m[3] };
  const b = BUILDAH_STEP.exec(name);
  return b ? { n: Number(b[2]), total: Number(b[3]), text: b[4], stage: Number(b[1] ?? 1) - 1 } : null;
}

/** Places every record of a build on the model of the Dockerfile that was built (stepIndex/line null: not placed). */
export function placeBuildRecords(
  model: DockerfileModel,
  builder: 'buildkit' | 'legacy' | 'buildah',
  records: BuilderStep[],
): BuildStepRecord[] {
  const placed = (r: BuilderStep, step: Step | null): BuildStepRecord => ({
    stepIndex: step?.index ?? null,
    line: step?.line ?? null,
    ...r,
  });
  if (builder !== 'buildkit') {
    return records.map((r) => {
      const p = parseLegacyStepName(r.name);
      if (!p) return placed(r, null);
      return placed(
        r,
        p.stage === undefined ? placeLegacyStep(model, p.n, p.text) : placeBuildahStep(model, p.stage, p.n, p.text),
      );
    });
  }
  const triggers = buildkitTriggers(model, records);
  return records.map((r) => {
    const v = parseVertexName(r.name);
    return placed(r, v ? placeBuildkitVertex(model, r.name, triggers.get(vertexStage(model, v)) ?? 0) : null);
  });
}

/** Per stage, the highest vertex number seen beyond the Dockerfile's own count = ONBUILD triggers that ran. */
function buildkitTriggers(model: DockerfileModel, records: BuilderStep[]): Map<number, number> {
  const triggers = new Map<number, number>();
  for (const r of records) {
    const p = parseVertexName(r.name);
    if (!p) continue;
    const si = vertexStage(model, p);
    const extra = Math.max(p.index, p.total) - buildkitCountedSteps(model, si).length;
    if (extra > (triggers.get(si) ?? 0)) triggers.set(si, extra);
  }
  return triggers;
}

/** Legacy `Step N` counts every instruction in file order (global ARGs included); check the keyword. */
export function placeLegacyStep(model: DockerfileModel, n: number, text: string): Step | null {
  const kw = (/^\s*(\S+)/.exec(text)?.[1] ?? '').toUpperCase();
  const byIndex = model.steps[n - 1];
  if (byIndex && byIndex.keyword === kw) return byIndex;
  // fall back: the first step with that keyword and the same arguments
  const args = text.slice(text.indexOf(' ') + 1).trim();
  return model.steps.find((s) => s.keyword === kw && s.args.trim() === args) ?? null;
}

/** Buildah's `STEP N` counts the instructions of one stage, its FROM first (global ARGs not counted). */
export function placeBuildahStep(model: DockerfileModel, stage: number, n: number, text: string): Step | null {
  const kw = (/^\s*(\S+)/.exec(text)?.[1] ?? '').toUpperCase();
  const i = model.stages[stage]?.steps[n - 1];
  const byIndex = i === undefined ? undefined : model.steps[i];
  if (byIndex && byIndex.keyword === kw) return byIndex;
  const args = text.slice(text.indexOf(' ') + 1).trim();
  return model.steps.find((s) => s.keyword === kw && s.args.trim() === args) ?? null;
}

/** Steps of a stage that get a numbered BuildKit vertex: FROM an external image, then ADD/COPY/RUN/WORKDIR. */
export function buildkitCountedSteps(model: DockerfileModel, stageIndex: number): Step[] {
  const stage = model.stages[stageIndex];
  if (!stage) return [];
  const out: Step[] = [];
  for (const i of stage.steps) {
    const s = model.steps[i];
    if (s.keyword === 'FROM') {
      if (stage.baseStage === null && stage.from.toLowerCase() !== 'scratch') out.push(s);
    } else if (s.keyword === 'ADD' || s.keyword === 'COPY' || s.keyword === 'RUN' || s.keyword === 'WORKDIR') {
      out.push(s);
    }
  }
  return out;
}

function vertexStage(model: DockerfileModel, v: { stage: string | null }): number {
  if (v.stage === null) return model.stages.length === 1 ? 0 : model.target;
  const name = v.stage.toLowerCase();
  const m = /^stage-(\d+)$/.exec(name);
  return m ? Number(m[1]) : model.stages.findIndex((s) => s.name === name);
}

/**
 * Maps a BuildKit vertex name to a Dockerfile step (null for internal vertices and ONBUILD triggers).
 * `triggers`: how many ONBUILD triggers of the base ran in this vertex's stage. Their vertices take the numbers
 * right after FROM; newer BuildKit counts them in the total and prefixes "ONBUILD ", older (0.8) does neither.
 */
export function placeBuildkitVertex(model: DockerfileModel, name: string, triggers = 0): Step | null {
  const v = parseVertexName(name);
  if (!v) return null;
  const stageIndex = vertexStage(model, v);
  if (stageIndex < 0) return null;
  const counted = buildkitCountedSteps(model, stageIndex);
  if (/^\[[^\]]*\] ONBUILD /.test(name)) return null;
  // ONBUILD triggers of the base image take numbers right after FROM
  const extra = Math.max(triggers, v.total - counted.length);
  const hasFrom = counted[0]?.keyword === 'FROM' ? 1 : 0;
  let idx = v.index;
  if (extra > 0 && idx > hasFrom) {
    if (idx <= hasFrom + extra) return null;
    idx -= extra;
  }
  const step = counted[idx - 1];
  if (!step) return null;
  const kw = (/^\s*(\S+)/.exec(v.text)?.[1] ?? '').toUpperCase();
  return step.keyword === kw ? step : null;
}

/** Moves placed records from an older model of the file to a newer one: same instruction text, in order. */
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
