// Reading a build's output as it streams from the engine: progress lines for the user, the image ID, the error, and
// per step whether it came from the cache and how long it took. The legacy builder writes text (`Step N/M : ...`,
// ` ---> Using cache`); BuildKit (`version=2`) sends its status trace (buildkitTrace.ts decodes it). The records
// keep the builder's own name for each step, in order; the analysis places them on Dockerfile lines
// (analysis/image/buildSteps.ts). build.ts runs the build and feeds each line of the stream to a BuildOutput.

import type { BuilderStep } from '../analysis/image/facts';
import { parseLegacyStepName, parseVertexName } from '../analysis/image/buildSteps';
import { decodeTraceAux, type TraceVertex } from './buildkitTrace';

export interface BuildProgress {
  message: string;
  /** 1-based position of the step being worked on, and the number of steps, when known. */
  step?: number;
  total?: number;
}

/** What one build's output said: fed line by line (one JSON message each), it keeps the image ID and the error. */
export class BuildOutput {
  imageId: string | undefined;
  error: string | undefined;
  readonly tracker: LegacyTracker | BuildkitTracker;

  constructor(
    buildkit: boolean,
    private readonly emit: (p: BuildProgress) => void,
  ) {
    this.tracker = buildkit ? new BuildkitTracker() : new LegacyTracker();
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
  records(now: number): BuilderStep[];
  fail(error: string, now: number): void;
}

/**
 * Parses the legacy builder's text stream: `Step N/M : INSTR`, ` ---> Using cache`, ` ---> Running in`; and
 * buildah's (Podman), which numbers the same way: `STEP N/M: INSTR`, `--> Using cache <id>`.
 */
export class LegacyTracker implements Tracker {
  private readonly recs: (BuilderStep & { start: number; end?: number })[] = [];

  line(l: string, now: number): BuildProgress {
    const m = parseLegacyStepName(l);
    if (m) {
      const { n, total } = m;
      const prev = this.recs[this.recs.length - 1];
      if (prev && prev.end === undefined) prev.end = now;
      this.recs.push({ name: l, cached: false, start: now });
      return { message: l, step: n, total };
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

  records(now: number): BuilderStep[] {
    return this.recs.map(({ start, end, ...r }) => ({ ...r, durationMs: Math.max(0, (end ?? now) - start) }));
  }
}

/** Merges BuildKit trace vertices by digest and turns the numbered ones into step records. */
export class BuildkitTracker implements Tracker {
  private readonly byDigest = new Map<string, TraceVertex>();
  private readonly order: string[] = [];
  private readonly announced = new Set<string>();

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

  records(now: number): BuilderStep[] {
    const out: BuilderStep[] = [];
    for (const d of this.order) {
      const v = this.byDigest.get(d) as TraceVertex;
      if (!parseVertexName(v.name)) continue;
      const rec: BuilderStep = { name: v.name, cached: v.cached };
      if (v.started !== undefined) rec.durationMs = Math.max(0, Math.round((v.completed ?? now) - v.started));
      else if (v.cached) rec.durationMs = 0;
      if (v.error) rec.error = v.error;
      out.push(rec);
    }
    return out;
  }
}
