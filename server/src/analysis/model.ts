// The vocabulary of the analysis: what a Dockerfile is made of (stages, steps), what we say about each step
// (layer size, cache risk) and what we propose (findings with fixes).
// Pure data: no I/O, no LSP types. Lines are 1-based everywhere in this module; columns are 1-based UTF-16
// code units; an edit's end position is exclusive (as in LSP).

import type { BuildRecord } from './buildRecord';
import type { ImageFacts } from './image/facts';
import type { MappedImage } from './image/map';

export type Keyword =
  | 'FROM'
  | 'RUN'
  | 'CMD'
  | 'LABEL'
  | 'MAINTAINER'
  | 'EXPOSE'
  | 'ENV'
  | 'ADD'
  | 'COPY'
  | 'ENTRYPOINT'
  | 'VOLUME'
  | 'USER'
  | 'WORKDIR'
  | 'ARG'
  | 'ONBUILD'
  | 'STOPSIGNAL'
  | 'HEALTHCHECK'
  | 'SHELL';

/** A heredoc (`<<EOF` ... `EOF`) attached to a RUN, COPY or ADD. */
export interface Heredoc {
  /** Delimiter word, without quotes or `-`. */
  name: string;
  /** `<<-EOF`: leading tabs are stripped from the body and the terminator. */
  stripTabs: boolean;
  /** `<<"EOF"` or `<<'EOF'`: no variable expansion in the body. */
  quoted: boolean;
  /** The body text, without the terminator line. */
  body: string;
  /** Lines of the body (1-based, inclusive); endLine is the terminator line. */
  line: number;
  endLine: number;
}

export interface Flag {
  name: string;
  value: string | null;
}

/** One instruction of the Dockerfile. Global ARGs before the first FROM belong to no stage (stage -1). */
export interface Step {
  /** Position in the file's instruction list (0-based). */
  index: number;
  /** Index of the stage this step belongs to; -1 for global ARGs before the first FROM. */
  stage: number;
  keyword: Keyword | string;
  /** First and last line of the instruction, heredoc bodies and continuation lines included (1-based). */
  line: number;
  endLine: number;
  /** Column (1-based) where the keyword starts on `line`. */
  column: number;
  /** The instruction's arguments with continuations joined, heredoc bodies excluded, flags included. */
  args: string;
  /** Flags such as --from, --chown, --mount (every occurrence, in order). */
  flags: Flag[];
  /** Arguments after the flags, as words (variables not expanded). Exec-form JSON is decoded. */
  words: string[];
  /** True when the arguments were written in exec (JSON array) form. */
  execForm: boolean;
  heredocs: Heredoc[];
  /**
   * For RUN: the shell text that runs, heredoc bodies included (what rules read to find commands).
   * For other instructions: the arguments.
   */
  command: string;
  /** Whether the builder commits a filesystem layer for this step (RUN, COPY, ADD; WORKDIR under BuildKit). */
  createsLayer: boolean;
  /** For COPY/ADD: source paths (expanded), destination (expanded, resolved against WORKDIR when relative). */
  sources?: string[];
  destination?: string;
  /** For COPY/ADD --from=..., or RUN --mount=from=...: the stage index when it names a stage, else the image. */
  copyFrom?: { stage: number | null; image: string | null; raw: string };
  /** WORKDIR in effect when the step runs (expanded, absolute). */
  workdir: string;
  /**
   * For a shell-form RUN: the Dockerfile's variables (ARG, ENV) its text refers to that are declared where it runs,
   * with their values (null: an ARG declared without a value and given none, so unset in the shell), and NODE_ENV
   * when declared (it changes what npm installs). Names the file does not declare are absent (the base image's
   * environment may set them).
   */
  vars?: ReadonlyMap<string, string | null>;
  /** For ONBUILD: the trigger instruction's keyword. */
  onbuildKeyword?: string;
}

export interface Stage {
  index: number;
  /** The `AS name` alias (lowercased as Docker does), or null. */
  name: string | null;
  /** The base as written after variable expansion (`golang:1.22`, `build`, `scratch`). */
  from: string;
  /** The base as written in the file, before expansion. */
  fromRaw: string;
  /** When FROM names an earlier stage, its index. */
  baseStage: number | null;
  line: number;
  /** Index of the FROM step and of every step in the stage, in order (FROM first). */
  steps: number[];
  /** This stage is the build target (the last stage, or the one chosen with --target). */
  final: boolean;
  /** Its content reaches the final image (the target, or a stage the target builds FROM, transitively). */
  reachesFinal: boolean;
  /** Stages this stage depends on (FROM stage, COPY --from=stage, RUN --mount=from=stage). */
  dependsOn: number[];
  /** `--platform` value on FROM, if any. */
  platform: string | null;
}

export interface ParserDirectives {
  syntax: string | null;
  escape: string;
  check: string | null;
}

/** Comments that silence findings: `# hadolint ignore=DL3009,...` and `# layer-insight ignore=rule,...`. */
export interface IgnorePragma {
  /** Line of the comment (1-based). It applies to the next instruction, or to the whole file when global. */
  line: number;
  codes: string[];
  /** `# hadolint global ignore=...`: applies to every line. */
  global: boolean;
}

export interface DockerfileModel {
  text: string;
  /** The file's lines without line terminators. */
  lines: string[];
  /** The line terminator used by the file ("\n" or "\r\n"). */
  eol: string;
  directives: ParserDirectives;
  /** ARGs declared before the first FROM, with their default values (null when declared without one). */
  globalArgs: Map<string, string | null>;
  stages: Stage[];
  steps: Step[];
  /** Index of the target stage, or -1 when the file has no FROM. */
  target: number;
  /** Pragmas that silence findings on the following instruction. */
  ignores: IgnorePragma[];
  /** Problems met while reading the file (it still yields a model). */
  problems: string[];
}

export type SizeSource = 'estimate' | 'measured';

export interface LayerSize {
  bytes: number;
  source: SizeSource;
  /** Why this number, for a person: "node:20 base table (docker-library repo-info, 2026-09)". */
  basis: string;
  /** The number leaves something out (the basis says what): the layer is at least this big. */
  lowerBound?: boolean;
}

export type CacheRiskLevel = 'low' | 'medium' | 'high';

export interface CacheRisk {
  level: CacheRiskLevel;
  /** Sentences naming the line that causes the risk. */
  reasons: string[];
  /** Line (1-based) of the step whose inputs make this step re-run, when there is one. */
  causeLine?: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** The severities, most severe first: findings on one line are listed in this order, editors show them in it. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

/** Where a severity stands in SEVERITIES: 0 for an error, larger for a less severe one. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface TextEdit {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Shown as the preferred quick fix in the editor. */
  preferred?: boolean;
}

/**
 * What a rule says about one place. The analysis lists one finding per place; the same rule, severity and message at
 * several places is read as one by the reports (./groups.ts: one JSON entry with `places`, one block of the text
 * report, one "Fix all N" fix next to each place's own in the editor, where each place keeps its diagnostic).
 */
export interface Finding {
  rule: string;
  severity: Severity;
  line: number;
  endLine: number;
  /** Optional tighter range on `line` / `endLine` for the editor (1-based columns, end exclusive). */
  column?: number;
  endColumn?: number;
  message: string;
  /** The equivalent hadolint rule code, when there is one. */
  hadolint?: string;
  fixes: Fix[];
}

/** What was measured for one step from a real engine (facts from engine/, mapped to a step). */
export interface MeasuredStep {
  stepIndex: number;
  bytes: number;
  /** How the bytes were counted, e.g. "overlay2 on-disk, uncompressed". */
  sizeKind: string;
  cached?: boolean;
  durationMs?: number;
  largestFiles?: { path: string; bytes: number }[];
  /** Bytes this layer adds that a later layer deletes or overwrites. */
  wastedBytes?: number;
  /** Bytes this layer deletes or overwrites from earlier layers (they stay in the image). */
  removesBytes?: number;
}

export interface MeasuredImage {
  image: string;
  bytes: number;
  sizeKind: string;
  steps: MeasuredStep[];
  /** Set when the image's history does not match the Dockerfile. */
  mismatch?: string;
}

/** A file in the build context (after .dockerignore), with a POSIX path relative to the context root. */
export interface ContextFile {
  path: string;
  bytes: number;
}

export interface BuildContextFacts {
  /** Absolute path of the context folder (for messages only). */
  root: string;
  files: ContextFile[];
  /** True when the listing stopped early (too many files); sizes are then lower bounds. */
  truncated: boolean;
  hasDockerignore: boolean;
  /**
   * Text of the package manifests in the context that size estimates read (package-lock.json, yarn.lock,
   * pnpm-lock.yaml, npm-shrinkwrap.json, requirements*.txt and requirements/*.txt, poetry.lock, uv.lock,
   * Pipfile.lock), by context path. Optional; bounded in size.
   */
  contents?: Record<string, string>;
  /**
   * Workspace declarations of the context's project files, by context path of the file: package.json
   * "workspaces", pnpm-workspace.yaml "packages", Cargo.toml [workspace] members, go.work `use`, as the member
   * patterns written there ([] when the file declares none). A file absent here was not read (optional; bounded:
   * the shallowest files first, a limited number).
   */
  workspaces?: Record<string, string[]>;
  /**
   * The lifecycle scripts a Node package manager runs at install (preinstall, install, postinstall, prepare) of
   * each package.json read with the workspace declarations, by context path ({} for none); absent: not read.
   */
  installScripts?: Record<string, Record<string, string>>;
}

/** How often the files a COPY brings in changed in recent commits. */
export interface GitChurn {
  commits: number;
  /** For each context-relative path that changed, in how many of the last `commits` commits. */
  changes: Map<string, number>;
  /** Per recent commit (newest first), the context-relative paths it touched: lets a COPY of many files count
   * the commits that touched any of them. */
  commitPaths?: string[][];
}

export interface AnalysisOptions {
  /** Build target stage name (defaults to the last stage). */
  target?: string;
  /** Values passed with --build-arg. */
  buildArgs?: Record<string, string>;
  /** Whether the build will use BuildKit (WORKDIR then creates a layer). Default true. */
  buildkit?: boolean;
  /** Rule ids (or hadolint codes) to skip. */
  disabledRules?: string[];
  /** Severity overrides by rule id. */
  severities?: Record<string, Severity | 'off'>;
}

export interface AnalysisFacts {
  context?: BuildContextFacts;
  git?: GitChurn;
  /** An image gathered from the engine (and the build that made it): analyze() maps it to the model it parses. */
  image?: ImageFacts;
  /**
   * Measured sizes already mapped to this text. analyze() fills it from `image` for its phases and rules; a caller
   * gives it directly only when it has no image to map (tests).
   */
  measured?: MeasuredImage;
  /** The last recorded build of this file and what its inputs read now (forecast.ts). */
  build?: BuildFacts;
}

/** What the forecast compares: the record of the last build, and the facts that give each step's inputs now. */
export interface BuildFacts {
  /** Null: no build of this file was recorded (the forecast is then null, and `reason` says so). */
  record: BuildRecord | null;
  reason?: string;
  /** Content digests of the context files the steps bring in, by context path (facts/contextDigests.ts). */
  digests?: ReadonlyMap<string, string>;
  /** The digest of a build arg's value the next build passes; undefined: the value recorded at the last build. */
  argValue?: (name: string) => string | null | undefined;
  /** The image ID of a base reference, when the engine was asked (absent: not asked). */
  baseIds?: ReadonlyMap<string, string | null>;
}

export interface StepResult {
  step: Step;
  size: LayerSize | null;
  /** When size is null for a step that has a size in principle: why ("unknown base image foo:1"). */
  sizeNote?: string;
  cacheRisk: CacheRisk;
  /** What the engine measured for this step, when an image is mapped to the file. */
  measured?: MeasuredStep;
  /** Whether the next build re-runs this step, and why (present when a build of this file was recorded). */
  forecast?: StepForecast;
  /** Whether the last recorded build took this step from the cache, and if not, why it ran (forensics). */
  lastBuild?: StepCacheOutcome;
}

/** The next build, for one step: compared with the inputs recorded at the last build (forecast.ts). */
export interface StepForecast {
  rerun: boolean;
  /** Why it re-runs: "package-lock.json changed since the last build", "because line 8 re-runs (...)". */
  cause: string | null;
  /** How long it took when it last ran, in seconds (null: never measured). */
  seconds: number | null;
  /** Its layer's bytes: measured at the last build, else the estimate (`source` says which); null: unknown. */
  bytes: number | null;
  source: SizeSource;
}

/** The next build as a whole: the steps it re-runs and what they cost. */
export interface Forecast {
  /** Lines of the steps that re-run, in build order. */
  lines: number[];
  /** Seconds the re-run steps took when they last ran, plus the build's own overhead; null when none measured. */
  seconds: number | null;
  /** False when a re-run step was never measured: `seconds` is then a lower bound. */
  secondsComplete: boolean;
  bytes: number | null;
  /** ISO time of the recorded build this compares with. */
  since: string;
  builder: 'buildkit' | 'legacy';
  /** What the forecast could not check (the base image without an engine, files not read). */
  notes: string[];
}

/** One step of a finished build: from the cache or not, and the first cause when it ran. */
export interface StepCacheOutcome {
  hit: boolean;
  cause: string | null;
  /** How long it took, when it ran. */
  seconds?: number;
}

/** What a typical source edit costs: the steps that re-run. */
export interface RebuildCost {
  /** Lines of the layer steps that re-run after an ordinary source edit. */
  lines: number[];
  /** Sum of measured durations of those steps, when measured. */
  durationMs?: number;
  /** Sum of the sizes of the layers rebuilt. */
  bytes?: number;
}

export interface Analysis {
  model: DockerfileModel;
  steps: StepResult[];
  findings: Finding[];
  /** Total of the stages that reach the final image (null when no step of theirs has a size). */
  image: ImageTotal | null;
  rebuild: RebuildCost;
  /** The next build compared with the last recorded one; null when no build of this file was recorded. */
  forecast?: Forecast | null;
  /** The image of facts.image mapped to this model (history tree, build records on lines). */
  mapped?: MappedImage;
}

export interface ImageTotal {
  bytes: number;
  source: SizeSource;
  /**
   * Every layer of the final image is counted, none as a lower bound, and its base is in the table (or it was
   * measured). When false, `bytes` is a lower bound and `note` says what is left out.
   */
  complete: boolean;
  /** The final image's base when the base table does not know it (its layers are not in `bytes`). */
  unknownBase?: string;
  note?: string;
  /** For a measured image: what its bytes mean ("overlay2 on-disk, uncompressed", a Podman tar size, ...). */
  sizeKind?: string;
}
