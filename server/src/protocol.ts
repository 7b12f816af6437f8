// Every custom LSP extension between the client and the server, declared in one place (like rust-analyzer's
// lsp_ext.ts). The client imports these types; nothing here imports 'vscode' or Node APIs.
// Each method is a typed RequestType/NotificationType: client.sendRequest(BuildRequest, ...) and
// connection.onRequest(BuildRequest, ...) check their parameters and results against the same declaration.
// They come from vscode-languageserver-protocol's common part, which vscode-languageclient/node and
// vscode-languageserver/node both re-export: each bundle (dist/extension.js, dist/server.js) holds it once.
// Lines are 1-based, as in the rest of the analysis (the client converts to 0-based editor positions).

import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { CacheRiskLevel, Forecast, SizeSource, StepCacheOutcome, StepForecast } from './analysis/model';

/** Server -> client, after every analysis of a document version. */
export interface StepAnnotation {
  line: number;
  endLine: number;
  instruction: string;
  /** Whether the step commits a filesystem layer. */
  layer: boolean;
  size: { bytes: number; source: SizeSource; basis: string; lowerBound?: boolean } | null;
  /** Short text for the end of the line, e.g. "≈ 85 MB · cache: high". */
  label: string;
  /** The label's parts, so an editor can show only some of them (the size, the cache risk, the last build, and
   * "↻ re-runs" when the next build re-runs the step). */
  parts?: { size?: string; cache?: string; build?: string; next?: string };
  cacheRisk: { level: CacheRiskLevel; reasons: string[] };
  cached?: boolean;
  durationMs?: number;
  /** Whether the next build re-runs this step, and why (only when a build of this file was recorded). */
  forecast?: StepForecast;
  /** Whether the last recorded build took this step from the cache; when it did not, the first cause. */
  lastBuild?: StepCacheOutcome;
}
export interface AnnotationsParams {
  uri: string;
  version: number;
  steps: StepAnnotation[];
  /** complete: false when the total is a lower bound (an unknown base, a step without a size or a lower bound). */
  image: { bytes: number; source: SizeSource; complete: boolean; note?: string } | null;
  /** "estimate" until a measured image is mapped to this document, then "measured". */
  mode: SizeSource;
  /** What the next build re-runs, compared with the last recorded build; null: no build of this file recorded. */
  forecast?: Forecast | null;
}
export const AnnotationsNotification = new NotificationType<AnnotationsParams>('layerInsight/annotations');

/** Engine state, pushed by the server whenever it changes, and readable on request. */
export type EngineStatus = 'unknown' | 'none' | 'denied' | 'slow' | 'connected' | 'building' | 'untrusted' | 'disabled';
export interface EngineState {
  status: EngineStatus;
  /** Where we looked: "unix:///var/run/docker.sock", "tcp://host:2376", ... */
  host: string;
  /** Sentence for the status bar tooltip: "estimates only: no Docker engine at unix:///var/run/docker.sock". */
  message: string;
  version?: string;
  /** Storage driver, e.g. "overlay2": it decides what a measured size means. */
  storageDriver?: string;
}
export const EngineStateNotification = new NotificationType<EngineState>('layerInsight/engineState');
export const EngineStateRequest = new RequestType0<EngineState, void>('layerInsight/getEngineState');

/** Client -> server: build the Dockerfile (only ever on an explicit user action, in a trusted workspace). */
export interface BuildParams {
  uri: string;
  /** "buildkit" (default) or "legacy". */
  builder?: 'buildkit' | 'legacy';
  /** Build context folder (absolute path); defaults to the Dockerfile's folder. */
  context?: string;
  target?: string;
  tag?: string;
}
export interface BuildResult {
  ok: boolean;
  image?: string;
  message: string;
}
export const BuildRequest = new RequestType<BuildParams, BuildResult, void>('layerInsight/build');
/** Server -> client while a build runs. */
export interface BuildProgressParams {
  uri: string;
  /** One line of builder output, or a step's state change. */
  message: string;
  /** Index of the step being worked on and the number of steps, when known. */
  step?: number;
  total?: number;
  done?: boolean;
}
export const BuildProgressNotification = new NotificationType<BuildProgressParams>('layerInsight/buildProgress');
/** Client -> server: cancel the running build of this document. */
export interface CancelBuildParams {
  uri: string;
}
export const CancelBuildNotification = new NotificationType<CancelBuildParams>('layerInsight/cancelBuild');

/** Client -> server: map an existing local image to this Dockerfile without building. */
export interface MapImageParams {
  uri: string;
  image: string;
}
/** The answer says whether the image was mapped, as a build's does. */
export const MapImageRequest = new RequestType<MapImageParams, BuildResult, void>('layerInsight/mapImage');

/** Client -> server: the image history for the tree view. */
export interface HistoryParams {
  uri: string;
}
export interface HistoryFile {
  path: string;
  bytes: number;
}
export interface HistoryLayer {
  /** The Dockerfile line this layer came from, when it maps to one. */
  line: number | null;
  endLine: number | null;
  /** The history entry's command, e.g. "RUN /bin/sh -c apt-get update ...". */
  createdBy: string;
  instruction: string;
  bytes: number;
  /** True when the entry made no filesystem change (metadata instruction). */
  empty: boolean;
  cached?: boolean;
  durationMs?: number;
  /** Why the step ran in that build (forensics), when it did not come from the cache. */
  cause?: string | null;
  /** The next build re-runs this step, and why (forecast). */
  rerun?: { cause: string | null };
  largestFiles: HistoryFile[];
  wastedBytes?: number;
}
export interface HistoryStage {
  index: number;
  name: string | null;
  from: string;
  line: number;
  layers: HistoryLayer[];
}
export interface HistoryResult {
  /** Null when there is nothing to show; `reason` says why. */
  image: string | null;
  reason?: string;
  bytes?: number;
  sizeKind?: string;
  /** Layers of the base image, grouped. */
  base: { image: string; bytes: number; layers: number } | null;
  stages: HistoryStage[];
  wastedBytes?: number;
}
export const HistoryRequest = new RequestType<HistoryParams, HistoryResult, void>('layerInsight/history');

/** Client -> server: read the files again and forecast the next build of this Dockerfile now (no build starts). */
export interface ForecastParams {
  uri: string;
}
/** The answer: the forecast (null with a reason when no build of this file was recorded). */
export interface ForecastResult {
  forecast: Forecast | null;
  reason?: string;
}
export const ForecastRequest = new RequestType<ForecastParams, ForecastResult, void>('layerInsight/forecast');

/** Client -> server: settings the server reads (mirrors the layerInsight.* configuration). */
export interface ServerSettings {
  engine: { mode: 'auto' | 'on' | 'off'; host: string | null };
  rules: { disabled: string[]; severity: Record<string, 'error' | 'warning' | 'info' | 'hint' | 'off'> };
  inlayHints: boolean;
  /** When false (untrusted workspace) the server never builds and never talks to an engine. */
  trusted: boolean;
}

/** Initialization options the client passes. */
export interface InitializationOptions {
  settings?: Partial<ServerSettings>;
  /** A folder the server may write to (the extension's workspace storage): build records live there. */
  storageDir?: string;
}
