// Builds a Dockerfile with the Engine API (legacy builder or BuildKit) and follows the build to its end: cancel,
// time limit, the engine going away. The context is sent as a tar honouring .dockerignore (contextTar.ts); what the
// build's output says (progress, per-step cache hits and durations, the image ID) is read by progress.ts. The step
// records stay as the builder named them: the analysis places them on lines (analysis/image/buildSteps.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { formatBytes } from '../analysis/units';
import type { ImageBuild, BuilderStep } from '../analysis/image/facts';
import { contextEntries, countedUpload, tarStream, type ContextSource } from './contextTar';
import type { Builder } from './engineKind';
import { BuildOutput, type BuildProgress } from './progress';

/** buildah: Podman's builder, behind the same POST /build (pickBuilder in engineKind.ts chooses). */
export type { Builder };

export interface BuildOptions extends ContextSource {
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
  /** The builder's step records, in its order (analysis/image/buildSteps.ts places them on lines). */
  records: BuilderStep[];
  /** The Dockerfile text that was built. */
  dockerfileText: string;
  /** Sentence for the user when !ok. */
  message: string;
  cancelled?: boolean;
  timedOut?: boolean;
  durationMs: number;
  /** Output lines (capped). */
  log: string[];
}

const MAX_LOG_LINES = 2000;
const DEFAULT_TIMEOUT_MS = 20 * 60_000;

/** The Dockerfile's text: the given text, else the file. */
async function dockerfileTextOf(opts: BuildOptions): Promise<string> {
  if (opts.dockerfileText !== undefined) return opts.dockerfileText;
  const root = path.resolve(opts.context);
  const dfPath = opts.dockerfile ? path.resolve(root, opts.dockerfile) : path.join(root, 'Dockerfile');
  return fs.promises.readFile(dfPath, 'utf8');
}

/** One build as it runs: its signal (cancel or time limit), its output so far, and how it ends. */
class BuildRun {
  readonly signal: AbortSignal;
  readonly output: BuildOutput;
  readonly log: string[] = [];
  private readonly timeout: AbortSignal;

  constructor(
    private readonly opts: BuildOptions,
    private readonly text: string,
    /** When buildImage was called (durationMs counts from there: reading the context included). */
    private readonly started: number,
  ) {
    this.timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.timeout]) : this.timeout;
    this.output = new BuildOutput(opts.builder === 'buildkit', (p) => {
      if (this.log.length < MAX_LOG_LINES) this.log.push(p.message);
      opts.onProgress?.(p);
    });
  }

  finish(ok: boolean, message: string, extra: Partial<BuildOutcome> = {}): BuildOutcome {
    return {
      ok,
      builder: this.opts.builder,
      records: this.output.tracker.records(Date.now()),
      dockerfileText: this.text,
      message,
      durationMs: Date.now() - this.started,
      log: this.log,
      tag: this.opts.tag,
      ...extra,
    };
  }

  /** The outcome of a build stopped by the user or by the time limit. */
  aborted(): BuildOutcome {
    if (this.opts.signal?.aborted) return this.finish(false, 'build cancelled', { cancelled: true });
    const message = `build timed out after ${Math.round((this.opts.timeoutMs ?? 1_200_000) / 1000)} s`;
    return this.finish(false, message, this.timeout.aborted ? { timedOut: true } : {});
  }

  /** The outcome once the build stream has ended (err: how it broke, if it did). */
  ended(err?: unknown): BuildOutcome {
    const { error, imageId } = this.output;
    if (this.signal.aborted) return this.aborted();
    if (error) return this.finish(false, `build failed: ${error}`, { imageId });
    if (err) return this.finish(false, `the connection to the engine broke during the build: ${errorText(err)}`);
    if (!imageId)
      return this.finish(false, 'the engine closed the build stream without producing an image (did it stop?)');
    return this.finish(true, `built ${this.opts.tag ?? imageId}`, { imageId });
  }
}

/** The Engine API's build parameters for these options. */
function engineBuildOptions(
  opts: BuildOptions,
  dockerfileName: string,
  signal: AbortSignal,
): Dockerode.ImageBuildOptions {
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
  return buildOpts as Dockerode.ImageBuildOptions;
}

/** What the analysis needs of a build to place its records: the text built, how, and the records. */
export function imageBuildOf(
  opts: Pick<BuildOptions, 'builder' | 'target' | 'buildArgs'>,
  o: BuildOutcome,
): ImageBuild {
  return {
    builder: opts.builder,
    text: o.dockerfileText,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
    records: o.records,
  };
}

export async function buildImage(docker: Dockerode, opts: BuildOptions): Promise<BuildOutcome> {
  const started = Date.now();
  const text = await dockerfileTextOf(opts);
  const { entries, dockerfileName } = await contextEntries(opts, text);
  const run = new BuildRun(opts, text, started);
  let stream: NodeJS.ReadableStream;
  try {
    if (run.signal.aborted) return run.aborted();
    const context = countedUpload(tarStream(entries), (bytes, done) =>
      opts.onProgress?.({ message: `${done ? 'sent' : 'sending'} the build context: ${formatBytes(bytes)}` }),
    );
    stream = await docker.buildImage(
      context as unknown as NodeJS.ReadableStream,
      engineBuildOptions(opts, dockerfileName, run.signal),
    );
  } catch (err) {
    if (run.signal.aborted) return run.aborted();
    return run.finish(false, `the engine refused the build: ${errorText(err)}`);
  }
  const outcome = await follow(stream, run);
  // a failure may mean the engine itself went away: say so rather than relay its last words
  if (!outcome.ok && !outcome.cancelled && !outcome.timedOut && !(await answers(docker, 1500))) {
    outcome.message = `the Docker engine stopped answering during the build (${outcome.message})`;
  }
  return outcome;
}

/** Reads the build stream line by line until it ends, breaks, or the build is cancelled or times out. */
function follow(stream: NodeJS.ReadableStream, run: BuildRun): Promise<BuildOutcome> {
  return new Promise<BuildOutcome>((resolve) => {
    let settled = false;
    let buffered = '';
    const done = (outcome: BuildOutcome): void => {
      if (settled) return;
      settled = true;
      run.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => {
      const s = stream as unknown as { destroy?: () => void };
      s.destroy?.();
      done(run.aborted());
    };
    run.signal.addEventListener('abort', onAbort);
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        run.output.line(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    const end = (err?: unknown): void => {
      if (settled) return;
      if (buffered) run.output.line(buffered);
      buffered = '';
      done(run.ended(err));
    };
    stream.on('end', () => end());
    stream.on('close', () => end(settled ? undefined : new Error('stream closed')));
    stream.on('error', (err: unknown) => end(err));
  });
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
