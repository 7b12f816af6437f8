// Builds a Dockerfile with the Engine API (legacy builder or BuildKit), streams progress, and records per step
// whether it came from the cache and how long it took. The context is sent as a tar honouring .dockerignore
// (facts/context.ts lists the files with Docker's own pattern rules).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { DockerfileModel, Step } from '../analysis/model';
import { parseDockerfile } from '../analysis/parse';
import { readBuildContext } from '../facts/context';
import { decodeTraceAux, parseVertexName, type TraceVertex } from './buildkitTrace';
import { tarStream, type TarEntry } from './tarWriter';

export type Builder = 'buildkit' | 'legacy';

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

export interface BuildOptions {
  /** Build context folder. */
  context: string;
  /** Path of the Dockerfile on disk (absolute, or relative to the context). Default: <context>/Dockerfile. */
  dockerfile?: string;
  /** Dockerfile text to build instead of the file's content (e.g. an unsaved editor buffer). */
  dockerfileText?: string;
  builder: Builder;
  tag?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  onProgress?: (p: BuildProgress) => void;
  signal?: AbortSignal;
  /** Whole-build time limit; default 20 minutes. */
  timeoutMs?: number;
}

export interface BuildOutcome {
  ok: boolean;
  builder: Builder;
  /** Image ID (sha256:...) when the build produced one. */
  imageId?: string;
  tag?: string;
  steps: BuildStepRecord[];
  /** The Dockerfile model the step records refer to. */
  model: DockerfileModel;
  /** Sentence for the user when !ok. */
  message: string;
  cancelled?: boolean;
  timedOut?: boolean;
  durationMs: number;
  /** Output lines (capped). */
  log: string[];
}

const MAX_LOG_LINES = 2000;

/** Builds the context's tar: every file .dockerignore keeps, plus the Dockerfile and .dockerignore (always sent). */
async function contextTar(opts: BuildOptions, text: string): Promise<{ entries: TarEntry[]; dockerfileName: string }> {
  const root = path.resolve(opts.context);
  const dfPath = opts.dockerfile ? path.resolve(root, opts.dockerfile) : path.join(root, 'Dockerfile');
  const facts = await readBuildContext(root, { maxFiles: 500_000, maxMillis: 120_000 });
  if (facts.truncated) throw new Error(`the build context ${root} is too large to send (over 500,000 files)`);
  const names = new Set(facts.files.map((f) => f.path));
  const entries: TarEntry[] = facts.files.map((f) => ({ name: f.path, source: path.join(root, f.path) }));
  const rel = path.relative(root, dfPath).split(path.sep).join('/');
  let dockerfileName: string;
  if (opts.dockerfileText === undefined && rel && !rel.startsWith('../') && !path.isAbsolute(rel)) {
    dockerfileName = rel;
    if (!names.has(rel)) entries.push({ name: rel, source: dfPath });
  } else {
    // a stable name, so `COPY . .` layers stay cacheable between builds of an unsaved buffer
    dockerfileName = '.layer-insight.Dockerfile';
    entries.push({ name: dockerfileName, source: Buffer.from(text, 'utf8') });
  }
  if (facts.hasDockerignore && !names.has('.dockerignore'))
    entries.push({ name: '.dockerignore', source: path.join(root, '.dockerignore') });
  return { entries, dockerfileName };
}

/** The Dockerfile's text: the given text, else the file. */
async function dockerfileTextOf(opts: BuildOptions): Promise<string> {
  if (opts.dockerfileText !== undefined) return opts.dockerfileText;
  const root = path.resolve(opts.context);
  const dfPath = opts.dockerfile ? path.resolve(root, opts.dockerfile) : path.join(root, 'Dockerfile');
  return fs.promises.readFile(dfPath, 'utf8');
}

// eslint-disable-next-line max-lines-per-function -- TODO(issue 13): split
export async function buildImage(docker: Dockerode, opts: BuildOptions): Promise<BuildOutcome> {
  const started = Date.now();
  const text = await dockerfileTextOf(opts);
  const model = parseDockerfile(text, {
    target: opts.target,
    buildArgs: opts.buildArgs,
    buildkit: opts.builder === 'buildkit',
  });
  const { entries, dockerfileName } = await contextTar(opts, text);

  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 20 * 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const tracker = opts.builder === 'buildkit' ? new BuildkitTracker(model) : new LegacyTracker(model);
  const log: string[] = [];
  const emit = (p: BuildProgress): void => {
    if (log.length < MAX_LOG_LINES) log.push(p.message);
    opts.onProgress?.(p);
  };

  const buildOpts: Record<string, unknown> = {
    dockerfile: dockerfileName,
    rm: true,
    forcerm: true,
    abortSignal: signal,
  };
  if (opts.tag) buildOpts.t = opts.tag;
  if (opts.target) buildOpts.target = opts.target;
  if (opts.noCache) buildOpts.nocache = true;
  if (opts.buildArgs && Object.keys(opts.buildArgs).length > 0) buildOpts.buildargs = opts.buildArgs;
  if (opts.builder === 'buildkit') buildOpts.version = '2';

  const finish = (ok: boolean, message: string, extra: Partial<BuildOutcome> = {}): BuildOutcome => ({
    ok,
    builder: opts.builder,
    steps: tracker.records(Date.now()),
    model,
    message,
    durationMs: Date.now() - started,
    log,
    tag: opts.tag,
    ...extra,
  });
  const abortReason = (): Partial<BuildOutcome> =>
    opts.signal?.aborted ? { cancelled: true } : timeout.aborted ? { timedOut: true } : {};
  const abortMessage = (): string =>
    opts.signal?.aborted
      ? 'build cancelled'
      : `build timed out after ${Math.round((opts.timeoutMs ?? 1_200_000) / 1000)} s`;

  let stream: NodeJS.ReadableStream;
  try {
    if (signal.aborted) return finish(false, abortMessage(), abortReason());
    stream = await docker.buildImage(
      tarStream(entries) as unknown as NodeJS.ReadableStream,
      buildOpts as Dockerode.ImageBuildOptions,
    );
  } catch (err) {
    if (signal.aborted) return finish(false, abortMessage(), abortReason());
    return finish(false, `the engine refused the build: ${errorText(err)}`);
  }

  const outcome = await new Promise<BuildOutcome>((resolve) => {
    let settled = false;
    let buffered = '';
    let imageId: string | undefined;
    let error: string | undefined;
    const done = (outcome: BuildOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => {
      const s = stream as unknown as { destroy?: () => void };
      s.destroy?.();
      done(finish(false, abortMessage(), abortReason()));
    };
    signal.addEventListener('abort', onAbort);

    const handle = (line: string): void => {
      if (!line.trim()) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        emit({ message: line });
        return;
      }
      if (typeof msg.error === 'string') {
        error = msg.error.trim();
        tracker.fail(error, Date.now());
        emit({ message: `error: ${error}` });
        return;
      }
      if (msg.id === 'moby.buildkit.trace' && typeof msg.aux === 'string') {
        const status = decodeTraceAux(msg.aux);
        if (status) for (const p of (tracker as BuildkitTracker).vertices(status.vertexes, status.logs)) emit(p);
        return;
      }
      const aux = msg.aux as { ID?: unknown } | undefined;
      if (aux && typeof aux === 'object' && typeof aux.ID === 'string') {
        imageId = aux.ID;
        return;
      }
      if (typeof msg.stream === 'string') {
        for (const l of msg.stream.split('\n')) {
          if (!l.trim()) continue;
          const p = tracker instanceof LegacyTracker ? tracker.line(l, Date.now()) : { message: l };
          emit(p);
          const m = /^Successfully built ([0-9a-f]+)/.exec(l);
          if (m && !imageId) imageId = m[1];
        }
        return;
      }
      if (typeof msg.status === 'string') emit({ message: msg.status });
    };

    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        handle(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    const end = (err?: unknown): void => {
      if (settled) return;
      if (buffered) handle(buffered);
      buffered = '';
      if (signal.aborted) return done(finish(false, abortMessage(), abortReason()));
      if (error) return done(finish(false, `build failed: ${error}`, { imageId }));
      if (err) return done(finish(false, `the connection to the engine broke during the build: ${errorText(err)}`));
      if (!imageId)
        return done(finish(false, 'the engine closed the build stream without producing an image (did it stop?)'));
      done(finish(true, `built ${opts.tag ?? imageId}`, { imageId }));
    };
    stream.on('end', () => end());
    stream.on('close', () => end(settled ? undefined : new Error('stream closed')));
    stream.on('error', (err: unknown) => end(err));
  });
  // a failure may mean the engine itself went away: say so rather than relay its last words
  if (!outcome.ok && !outcome.cancelled && !outcome.timedOut && !(await answers(docker, 1500))) {
    outcome.message = `the Docker engine stopped answering during the build (${outcome.message})`;
  }
  return outcome;
}

async function answers(docker: Dockerode, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      docker.ping().then(
        () => true,
        () => false,
      ),
      t,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const status = (err as { statusCode?: number }).statusCode;
    const json = (err as { json?: { message?: string } }).json;
    const msg = json?.message ?? err.message;
    return [code, status ? `HTTP ${status}` : undefined, msg].filter(Boolean).join(': ').trim();
  }
  return String(err);
}

interface Tracker {
  records(now: number): BuildStepRecord[];
  fail(error: string, now: number): void;
}

/** Parses the legacy builder's text stream: `Step N/M : INSTR`, ` ---> Using cache`, ` ---> Running in`. */
export class LegacyTracker implements Tracker {
  private readonly recs: (BuildStepRecord & { start: number; end?: number })[] = [];
  constructor(private readonly model: DockerfileModel) {}

  line(l: string, now: number): BuildProgress {
    const m = /^Step (\d+)\/(\d+) : ([\s\S]*)$/.exec(l);
    if (m) {
      const n = Number(m[1]);
      const total = Number(m[2]);
      const prev = this.recs[this.recs.length - 1];
      if (prev && prev.end === undefined) prev.end = now;
      const step = placeLegacyStep(this.model, n, m[3]);
      this.recs.push({ stepIndex: step?.index ?? null, line: step?.line ?? null, name: l, cached: false, start: now });
      return { message: l, step: n, total };
    }
    const cur = this.recs[this.recs.length - 1];
    if (cur && /^ ---> Using cache\s*$/.test(l)) cur.cached = true;
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
