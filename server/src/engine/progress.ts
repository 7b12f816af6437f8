// Reading a build's output as it streams from the engine: progress lines for the user, the image ID, the error, and
// per step whether it came from the cache and how long it took. The legacy builder writes text (`Step N/M : ...`,
// ` ---> Using cache`); BuildKit (`version=2`) sends its status trace (buildkitTrace.ts decodes it), whose vertices
// are placed on Dockerfile steps here. build.ts runs the build and feeds each line of the stream to a BuildOutput.

import type { DockerfileModel, Step } from '../analysis/model';
import { decodeTraceAux, parseVertexName, type TraceVertex } from './buildkitTrace';

export interface BuildProgress {
  message: string;
  /** 1-based position of the step being worked on, and the number of steps, when known. */
  step?: number;
  total?: number;
}

export interface BuildStepRecord {
  /** Index into DockerfileModel.steps, or null when the builder's step could not be placed. */
  stepIndex: number | null;
  /** Line of that step (1-based), when placed. */
  line: number | null;
  /** What the builder called the step ("Step 3/5 : RUN ...", "[2/4] RUN ..."). */
  name: string;
  cached: boolean;
  durationMs?: number;
  error?: string;
}

/** What one build's output said: fed line by line (one JSON message each), it keeps the image ID and the error. */
export class BuildOutput {
  imageId: string | undefined;
  error: string | undefined;
  readonly tracker: LegacyTracker | BuildkitTracker;

  constructor(
    model: DockerfileModel,
    buildkit: boolean,
    private readonly emit: (p: BuildProgress) => void,
  ) {
    this.tracker = buildkit ? new BuildkitTracker(model) : new LegacyTracker(model);
  }

  line(line: string): void {
    if (!line.trim()) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.emit({ message: line });
      return;
    }
    if (typeof msg.error === 'string') {
      this.error = msg.error.trim();
      this.tracker.fail(this.error, Date.now());
      this.emit({ message: `error: ${this.error}` });
      return;
    }
    if (msg.id === 'moby.buildkit.trace' && typeof msg.aux === 'string') {
      const status = decodeTraceAux(msg.aux);
      if (status && this.tracker instanceof BuildkitTracker)
        for (const p of this.tracker.vertices(status.vertexes, status.logs)) this.emit(p);
      return;
    }
    const aux = msg.aux as { ID?: unknown } | undefined;
    if (aux && typeof aux === 'object' && typeof aux.ID === 'string') {
      this.imageId = aux.ID;
      return;
    }
    if (typeof msg.stream === 'string') this.streamText(msg.stream);
    else if (typeof msg.status === 'string') this.emit({ message: msg.status });
  }

  /** The builder's own text (the legacy builder's steps, RUN output), line by line. */
  private streamText(text: string): void {
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      this.emit(this.tracker instanceof LegacyTracker ? this.tracker.line(l, Date.now()) : { message: l });
      const m = /^Successfully built ([0-9a-f]+)/.exec(l);
      if (m && !this.imageId) this.imageId = m[1];
    }
  }
}

interface Tracker {
  records(now: number): BuildStepRecord[];
  fail(error: string, now: number): void;
}

/**
 * Parses the legacy builder's text stream: `Step N/M : INSTR`, ` ---> Using cache`, ` ---> Running in`; and
 * buildah's (Podman), which numbers the same way: `STEP N/M: INSTR`, `--> Using cache <id>`.
 */
export class LegacyTracker implements Tracker {
  private readonly recs: (BuildStepRecord & { start: number; end?: number })[] = [];
  constructor(private readonly model: DockerfileModel) {}

  line(l: string, now: number): BuildProgress {
    const placed = placeTextStep(this.model, l);
    if (placed) {
      const prev = this.recs[this.recs.length - 1];
      if (prev && prev.end === undefined) prev.end = now;
      const { step } = placed;
      this.recs.push({ stepIndex: step?.index ?? null, line: step?.line ?? null, name: l, cached: false, start: now });
      return { message: l, step: placed.n, total: placed.total };
    }
    const cur = this.recs[this.recs.length - 1];
    if (cur && /^(?: ---> Using cache\s*|--> Using cache [0-9a-f]+)$/.test(l)) cur.cached = true;
    return { message: l };
  }

  fail(error: string, now: number): void {
    const cur = this.recs[this.recs.length - 1];
    if (cur && cur.end === undefined) {
      cur.error = error;
      cur.end = now;
    }
  }

  records(now: number): BuildStepRecord[] {
    return this.recs.map(({ start, end, ...r }) => ({ ...r, durationMs: Math.max(0, (end ?? now) - start) }));
  }
}

/**
 * A step header of the legacy builder (`Step 3/7 : RUN ...`) or of buildah (`STEP 2/4: RUN ...`, in a multi-stage
 * file `[2/3] STEP 2/4: RUN ...`), with the Dockerfile step it names (null when it cannot be placed); null for
 * any other line.
 */
export function placeTextStep(
  model: DockerfileModel,
  l: string,
): { n: number; total: number; step: Step | null } | null {
  const legacy = /^Step (\d+)\/(\d+) : ([\s\S]*)$/.exec(l);
  if (legacy) {
    const n = Number(legacy[1]);
    return { n, total: Number(legacy[2]), step: placeLegacyStep(model, n, legacy[3]) };
  }
  const buildah = /^(?:\[(\d+)\/\d+\] )?STEP (\d+)\/(\d+): ([\s\S]*)$/.exec(l);
  if (!buildah) return null;
  const n = Number(buildah[2]);
  return { n, total: Number(buildah[3]), step: placeBuildahStep(model, Number(buildah[1] ?? 1) - 1, n, buildah[4]) };
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

/** Legacy `Step N` counts every instruction in file order (global ARGs included); check the keyword. */
export function placeLegacyStep(model: DockerfileModel, n: number, text: string): Step | null {
  const kw = (/^\s*(\S+)/.exec(text)?.[1] ?? '').toUpperCase();
  const byIndex = model.steps[n - 1];
  if (byIndex && byIndex.keyword === kw) return byIndex;
  // fall back: the first step with that keyword and the same arguments
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

/** Merges BuildKit trace vertices by digest and turns the numbered ones into step records. */
export class BuildkitTracker implements Tracker {
  private readonly byDigest = new Map<string, TraceVertex>();
  private readonly order: string[] = [];
  private readonly announced = new Set<string>();
  constructor(private readonly model: DockerfileModel) {}

  vertices(vs: TraceVertex[], logs: { vertex: string; msg: string }[]): BuildProgress[] {
    const out: BuildProgress[] = [];
    for (const v of vs) {
      const prev = this.byDigest.get(v.digest);
      if (!prev) {
        this.order.push(v.digest);
        this.byDigest.set(v.digest, { ...v });
      } else {
        prev.name = v.name || prev.name;
        prev.cached = prev.cached || v.cached;
        if (v.started !== undefined) prev.started = v.started;
        if (v.completed !== undefined) prev.completed = v.completed;
        if (v.error) prev.error = v.error;
      }
      const cur = this.byDigest.get(v.digest) as TraceVertex;
      const parsed = parseVertexName(cur.name);
      const state = cur.error
        ? 'ERROR'
        : cur.cached
          ? 'CACHED'
          : cur.completed !== undefined
            ? 'DONE'
            : cur.started !== undefined
              ? 'started'
              : '';
      const key = `${v.digest}:${state}`;
      if (state && !this.announced.has(key)) {
        this.announced.add(key);
        const secs =
          cur.completed !== undefined && cur.started !== undefined
            ? ` ${((cur.completed - cur.started) / 1000).toFixed(1)}s`
            : '';
        out.push({
          message: `${cur.name} ${state}${state === 'DONE' ? secs : ''}${cur.error ? `: ${cur.error}` : ''}`,
          step: parsed?.index,
          total: parsed?.total,
        });
      }
    }
    for (const l of logs) {
      for (const line of l.msg.split('\n')) if (line.trim()) out.push({ message: line });
    }
    return out;
  }

  /** BuildKit's own vertices carry their errors; a stream error adds nothing to the records. */
  fail(): void {}

  records(now: number): BuildStepRecord[] {
    const out: BuildStepRecord[] = [];
    // per stage, the highest vertex number seen beyond the Dockerfile's own count = ONBUILD triggers that ran
    const triggers = new Map<number, number>();
    for (const d of this.order) {
      const p = parseVertexName((this.byDigest.get(d) as TraceVertex).name);
      if (!p) continue;
      const si = vertexStage(this.model, p);
      const extra = Math.max(p.index, p.total) - buildkitCountedSteps(this.model, si).length;
      if (extra > (triggers.get(si) ?? 0)) triggers.set(si, extra);
    }
    for (const d of this.order) {
      const v = this.byDigest.get(d) as TraceVertex;
      const parsed = parseVertexName(v.name);
      if (!parsed) continue;
      const step = placeBuildkitVertex(this.model, v.name, triggers.get(vertexStage(this.model, parsed)) ?? 0);
      const rec: BuildStepRecord = {
        stepIndex: step?.index ?? null,
        line: step?.line ?? null,
        name: v.name,
        cached: v.cached,
      };
      if (v.started !== undefined) rec.durationMs = Math.max(0, Math.round((v.completed ?? now) - v.started));
      else if (v.cached) rec.durationMs = 0;
      if (v.error) rec.error = v.error;
      out.push(rec);
    }
    return out;
  }
}
