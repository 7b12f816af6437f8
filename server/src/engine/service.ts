// The server side of the engine protocol (protocol.ts): engine state (probed with a time limit, re-probed on a
// timer with backoff), builds on explicit request with progress and cancellation, and mapping an existing image.
// What it gathers (the image, the build's raw step records) goes to the analysis as facts (host.setImage): the
// analysis maps them to the text it parses, so sizes replace estimates everywhere. Nothing here parses a Dockerfile.
// The engine being missing, slow or refusing never throws into the LSP handlers; builds never start when the
// workspace is untrusted or the engine is switched off.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import type Dockerode from 'dockerode';
import type { ImageFacts } from '../analysis/image/facts';
import type { BuildFacts } from '../analysis/model';
import type {
  BuildParams,
  BuildProgressParams,
  BuildResult,
  EngineState,
  HistoryResult,
  MapImageParams,
  ServerSettings,
} from '../protocol';
import { recordedBuild } from '../recordedBuild';
import { errorText } from './build';
import { imageIds } from './imageIds';
import { pickBuilder } from './engineKind';
import { connect, probeEngine, resolveFromProcess, type ResolvedEngine } from './connect';
import { imageReferenceProblem } from './imageName';
import { gatherImage } from './measure';

export interface EngineServiceHost {
  settings(): ServerSettings;
  /**
   * Hands an image gathered for this document to the analysis (undefined: none). Returns why it does not fit
   * the document's current text, when it does not.
   */
  setImage(uri: string, image: ImageFacts | undefined): string | undefined;
  /** The base image of the document's target chain, from its analysis (null: scratch, none, or not open). */
  baseImage(uri: string, target?: string): string | null;
  /** A build's record and digests, for the forecast and the causes of its cache misses. */
  setBuild(uri: string, build: BuildFacts): void;
  /** Where builds are recorded (the workspace storage, else the CLI's cache folder). */
  recordDir(): string;
  /** The document's current text, when it is open. */
  text(uri: string): string | undefined;
  sendState(state: EngineState): void;
  sendProgress(p: BuildProgressParams): void;
}

const PROBE_TIMEOUT_MS = 2500;
const MIN_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 120_000;
const CONNECTED_RECHECK_MS = 60_000;

export class EngineService {
  private current: EngineState = { status: 'unknown', host: '', message: 'Docker engine not checked yet' };
  private timer: NodeJS.Timeout | undefined;
  private backoff = MIN_BACKOFF_MS;
  private probing: Promise<EngineState> | undefined;
  private resolved: ResolvedEngine | undefined;
  private readonly builds = new Map<string, AbortController>();
  private disposed = false;
  /** Overridable for tests. */
  resolve: (hostSetting: string | null) => ResolvedEngine = (h) => resolveFromProcess(h);

  constructor(private readonly host: EngineServiceHost) {}

  get state(): EngineState {
    return this.current;
  }

  /** Starts probing (when allowed by the settings). */
  start(): void {
    void this.probe();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.builds.values()) c.abort();
  }

  settingsChanged(): void {
    this.resolved = undefined;
    this.backoff = MIN_BACKOFF_MS;
    void this.probe();
  }

  private setState(s: EngineState): void {
    const changed =
      s.status !== this.current.status || s.message !== this.current.message || s.host !== this.current.host;
    this.current = s;
    if (changed) this.host.sendState(s);
  }

  private blocked(): EngineState | null {
    const st = this.host.settings();
    if (!st.trusted)
      return {
        status: 'untrusted',
        host: '',
        message: 'estimates only: the workspace is not trusted, so no Docker engine is used',
      };
    if (st.engine.mode === 'off')
      return {
        status: 'disabled',
        host: '',
        message: 'estimates only: the Docker engine is switched off (layerInsight.engine.mode)',
      };
    return null;
  }

  /** Probes now (one probe at a time) and schedules the next one. Never throws. */
  probe(): Promise<EngineState> {
    if (this.probing) return this.probing;
    this.probing = this.doProbe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async doProbe(): Promise<EngineState> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const blocked = this.blocked();
    if (blocked) {
      this.setState(blocked);
      return blocked;
    }
    if (this.builds.size > 0) return this.current;
    let s: EngineState;
    try {
      this.resolved ??= this.resolve(this.host.settings().engine.host);
      s = await probeEngine(this.resolved, PROBE_TIMEOUT_MS);
    } catch (err) {
      s = { status: 'none', host: this.resolved?.host ?? '', message: `estimates only: ${errorText(err)}` };
    }
    if (this.disposed) return s;
    this.setState(s);
    const next = s.status === 'connected' ? CONNECTED_RECHECK_MS : this.backoff;
    this.backoff = s.status === 'connected' ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    this.timer = setTimeout(() => void this.probe(), next);
    this.timer.unref?.();
    return s;
  }

  /** For the state request: a fresh probe unless connected recently. */
  async getState(): Promise<EngineState> {
    if (this.current.status === 'connected' || this.current.status === 'building') return this.current;
    return this.probe();
  }

  private async ready(): Promise<{ docker: Dockerode } | { error: string }> {
    const blocked = this.blocked();
    if (blocked) {
      this.setState(blocked);
      return { error: blocked.message };
    }
    const s = this.current.status === 'connected' ? this.current : await this.probe();
    if (s.status !== 'connected' || !this.resolved) return { error: s.message };
    return { docker: connect(this.resolved, 0) };
  }

  async build(p: BuildParams): Promise<BuildResult> {
    const file = fsPath(p.uri);
    if (!file) return { ok: false, message: 'only Dockerfiles saved on disk can be built' };
    if (this.builds.has(p.uri)) return { ok: false, message: 'a build of this Dockerfile is already running' };
    const tagProblem = p.tag === undefined ? null : imageReferenceProblem(p.tag);
    if (tagProblem)
      return { ok: false, message: `cannot tag the image "${(p.tag ?? '').slice(0, 100)}": ${tagProblem}` };
    const r = await this.ready();
    if ('error' in r) return { ok: false, message: r.error };
    const controller = new AbortController();
    this.builds.set(p.uri, controller);
    const connected = this.current;
    // the setting's builder when this engine has it; else the engine's own, and the user is told (engineKind.ts)
    const picked = pickBuilder(p.builder, connected);
    this.setState({
      ...connected,
      status: 'building',
      message: `building ${path.basename(file)} with ${picked.builder}`,
    });
    // build what the editor shows; the file itself when they are the same (the context then looks as usual)
    const buffer = this.host.text(p.uri);
    let onDisk: string | undefined;
    try {
      onDisk = await fs.promises.readFile(file, 'utf8');
    } catch {
      // not saved yet
    }
    const unsaved = buffer !== undefined && buffer !== onDisk;
    const tag = p.tag ?? defaultTag(file);
    try {
      const run = await recordedBuild(r.docker, {
        dockerfile: path.resolve(file),
        text: unsaved ? (buffer as string) : (onDisk ?? buffer ?? ''),
        unsaved,
        context: path.resolve(p.context ?? path.dirname(file)),
        builder: p.builder ?? 'buildkit',
        engine: connected,
        tag,
        target: p.target,
        recordDir: this.host.recordDir(),
        storageDriver: connected.storageDriver,
        signal: controller.signal,
        onProgress: (pr) => this.host.sendProgress({ uri: p.uri, message: pr.message, step: pr.step, total: pr.total }),
      });
      const { facts } = run;
      if (!run.ok || !run.image || !facts) {
        this.host.sendProgress({ uri: p.uri, message: run.message, done: true });
        return { ok: false, message: run.message };
      }
      this.host.setImage(p.uri, run.image as ImageFacts);
      this.host.setBuild(p.uri, facts.build);
      const msg = run.recordError ? `${run.message} (${run.recordError})` : run.message;
      this.host.sendProgress({ uri: p.uri, message: msg, done: true });
      return { ok: true, image: tag, message: msg };
    } catch (err) {
      const message = `build failed: ${errorText(err)}`;
      this.host.sendProgress({ uri: p.uri, message, done: true });
      return { ok: false, message };
    } finally {
      this.builds.delete(p.uri);
      // the engine may have gone away during the build: look again (and tell the client the build is over)
      this.current = { ...connected, status: 'unknown' };
      void this.probe();
    }
  }

  /** The local image IDs of base references, when the engine may be used and answers (else undefined). */
  async baseIds(refs: string[]): Promise<Map<string, string | null> | undefined> {
    if (this.blocked() || this.current.status !== 'connected' || !this.resolved) return undefined;
    try {
      return await imageIds(connect(this.resolved, 5000), refs);
    } catch {
      return undefined;
    }
  }

  cancelBuild(uri: string): void {
    this.builds.get(uri)?.abort();
  }

  async mapImage(p: MapImageParams): Promise<BuildResult> {
    const problem = imageReferenceProblem(p.image);
    if (problem) return { ok: false, message: `cannot map "${p.image.slice(0, 100)}": ${problem}` };
    const r = await this.ready();
    if ('error' in r) return { ok: false, message: r.error };
    const text = this.host.text(p.uri);
    if (text === undefined) return { ok: false, message: 'open the Dockerfile first' };
    try {
      const gathered = await gatherImage(r.docker, p.image, {
        baseImage: this.host.baseImage(p.uri),
        storageDriver: this.current.storageDriver,
        engineKind: this.current.kind,
      });
      const mismatch = this.host.setImage(p.uri, { gathered });
      return mismatch
        ? {
            ok: false,
            image: p.image,
            message: `${p.image} does not match this Dockerfile: ${mismatch}`,
          }
        : { ok: true, image: p.image, message: `mapped ${p.image} to this Dockerfile` };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      return {
        ok: false,
        message:
          status === 404
            ? `no image "${p.image}" in the Docker engine`
            : `could not read ${p.image}: ${errorText(err)}`,
      };
    }
  }

  closed(uri: string): void {
    this.cancelBuild(uri);
  }

  /** The history tree's answer when no image is mapped to the document (the analysis answers otherwise). */
  noImage(): HistoryResult {
    return {
      image: null,
      base: null,
      stages: [],
      reason:
        this.current.status === 'connected'
          ? 'no image mapped to this Dockerfile yet: build it or map an existing image'
          : this.current.message,
    };
  }
}

function fsPath(uri: string): string | null {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : null;
  } catch {
    return null;
  }
}

/** layer-insight/<folder>:latest, in the characters a repository name allows. */
export function defaultTag(file: string): string {
  const folder =
    path
      .basename(path.dirname(file))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'image';
  const name =
    path.basename(file).toLowerCase() === 'dockerfile'
      ? folder
      : `${folder}-${path
          .basename(file)
          .toLowerCase()
          .replace(/[^a-z0-9._-]+/g, '-')}`;
  return `layer-insight/${name.slice(0, 100)}:latest`;
}
