// What each step's cache key depends on, read from the Dockerfile model, the build context listing and the content
// digests of the files the steps bring in (facts/contextDigests.ts hashes them). A build records these inputs
// (buildRecord.ts); the forecast (forecast.ts) compares the record with the inputs now. Pure.
//
// What the builders fold into a step's cache key, and so what is kept here per step:
// - Its instruction as the builder reads it. The legacy builder keys every instruction on its text and its parent
//   image, so any change (a LABEL included) re-runs it and everything after it in the stage. BuildKit keys only the
//   steps that have a vertex (FROM an image, RUN, COPY, ADD, WORKDIR); ENV, USER and SHELL enter the key of the RUNs
//   after them (their environment, user and shell), and LABEL, CMD, EXPOSE and the like only the image config.
// - The content of the context files a COPY/ADD (or a RUN's bind mount of the context) brings in: file paths and
//   bytes, never their modification time (both builders checksum contents).
// - The build args whose value enters the key at that step (cache.ts stepInputs: the first RUN after the ARG, or
//   the first instruction naming it). Values are kept as digests: a build arg may carry a token.
// - For FROM an image: the reference and the image ID the engine had (null when no engine was asked).
// - For COPY --from / RUN --mount=from= a stage: which stage and path; whether that content changes is the
//   forecast's question (provenance.ts tells which steps wrote it).

import { createHash } from 'node:crypto';
import { builtStages, stageIndexByRef, stepInputs } from './cache';
import { contextPath } from './paths';
import type { BuildContextFacts, DockerfileModel, Stage, Step } from './model';
import { contextSources, mountsOf, selectedFiles } from './sources';
import { stepIndexAtLine } from './steps';

export type Builder = 'buildkit' | 'legacy';

export interface StepInput {
  /** Index of the step in the model these inputs were read from. */
  index: number;
  line: number;
  keyword: string;
  /** The Dockerfile text the builder folds into this step's key (see the header). */
  key: string;
  /** Context files brought in: a digest over their paths and contents (null: some could not be read). */
  files?: { digest: string | null; count: number; sources: string[] };
  /** Build args whose value enters the key here, as digests of their values (null: unset). */
  args?: Record<string, string | null>;
  /** FROM an image: the reference, and the image ID the engine had for it (null: not asked). */
  base?: { ref: string; id: string | null };
  /** ADD of a URL: the builder checks it again at every build. */
  remote?: string[];
  /** COPY --from / RUN --mount=from= a stage of this file: the stage index and the path taken from it. */
  copies?: { stage: number; path: string }[];
}

export interface StageInputs {
  index: number;
  name: string | null;
  /** The steps with a cache key, in build order (FROM first). */
  steps: StepInput[];
}

export interface BuildInputs {
  builder: Builder;
  target: string | null;
  /** The stages the builder builds, in file order. */
  stages: StageInputs[];
  /** Content digests of the files the steps bring in, by context path, as a record keeps them (with keepFiles; null:
   * not kept, or too many). */
  files: Record<string, string> | null;
  /** The digests these inputs were read with (the forecast lists changed files from them). */
  digests?: ReadonlyMap<string, string>;
  /** What could not be read: files over the limits, an unknown base image ID. */
  notes: string[];
}

export interface InputFacts {
  builder: Builder;
  target?: string | null;
  context?: BuildContextFacts;
  /** Digests of context files by path (facts/contextDigests.ts); a wanted path absent here was not read. */
  digests?: ReadonlyMap<string, string>;
  /** The digest of a build arg's value as the build passes it (null: unset); undefined: the ARG's default. */
  argValue?: (name: string) => string | null | undefined;
  /** The image ID of a base reference, when the engine was asked. */
  baseId?: (ref: string) => string | null;
  /** Copy the digests into `files` (for a record; the forecast reads them from `digests`). */
  keepFiles?: boolean;
}

/** Files kept by name in a record; above this, only each step's digest is kept (changes are then not listed). */
export const MAX_RECORDED_FILES = 20_000;

/** Steps that have a cache key of their own under this builder. */
export function hasCacheKey(step: Step, stage: Stage, builder: Builder): boolean {
  if (step.keyword === 'FROM') return stage.baseStage === null && stage.from.toLowerCase() !== 'scratch';
  if (builder === 'legacy') return step.keyword !== 'ARG' || step.stage >= 0;
  return ['RUN', 'COPY', 'ADD', 'WORKDIR'].includes(step.keyword);
}

/** The stages the builder builds: BuildKit those the target needs, the legacy builder every stage up to it. */
export function stagesBuilt(model: DockerfileModel, builder: Builder): number[] {
  if (builder === 'buildkit') return [...builtStages(model)].sort((a, b) => a - b);
  return model.stages.filter((s) => s.index <= model.target).map((s) => s.index);
}

/** The context paths whose content the built stages' steps bring in (for facts/contextDigests.ts to hash). */
export function wantedFiles(model: DockerfileModel, context: BuildContextFacts, builder: Builder): string[] {
  const out = new Set<string>();
  for (const si of stagesBuilt(model, builder)) {
    for (const i of model.stages[si].steps) {
      for (const src of contextSourcePaths(model.steps[i], context))
        for (const f of selectedFiles(context, src)) out.add(f.path);
    }
  }
  return [...out].sort();
}

/** The context paths ('' = root) a step brings in: COPY/ADD sources and RUN bind mounts of the context. */
function contextSourcePaths(step: Step, context?: BuildContextFacts): string[] {
  if (step.keyword === 'COPY' || step.keyword === 'ADD')
    return contextSources(step, context)
      .filter((s) => s.kind !== 'remote')
      .map((s) => s.path);
  if (step.keyword !== 'RUN') return [];
  return mountsOf(step)
    .filter((m) => m.type === 'bind' && m.from === null)
    .map((m) => contextPath(m.source ?? '.'));
}

/** Reads every built step's inputs. */
export function readBuildInputs(model: DockerfileModel, facts: InputFacts): BuildInputs {
  const notes: string[] = [];
  const args = stepInputs(model, facts.context);
  const envEnd = new Map<number, string>();
  const stages: StageInputs[] = [];
  for (const si of stagesBuilt(model, facts.builder)) {
    const stage = model.stages[si];
    let env = stage.baseStage !== null ? (envEnd.get(stage.baseStage) ?? '') : '';
    const steps: StepInput[] = [];
    for (const i of stage.steps) {
      const step = model.steps[i];
      if (facts.builder === 'buildkit' && ['ENV', 'USER', 'SHELL'].includes(step.keyword))
        env += `\n${step.keyword} ${squash(step.args)}`;
      if (!hasCacheKey(step, stage, facts.builder)) continue;
      const input: StepInput = {
        index: i,
        line: step.line,
        keyword: step.keyword,
        key: keyOf(step, facts.builder, env),
      };
      addArgs(model, input, args[i].buildArgs, facts);
      if (step.keyword === 'FROM') input.base = { ref: stage.from, id: facts.baseId?.(stage.from) ?? null };
      addFiles(step, input, facts, notes);
      addCopies(model, step, input);
      steps.push(input);
    }
    envEnd.set(si, env);
    stages.push({ index: si, name: stage.name, steps });
  }
  const files = facts.keepFiles ? recordedFiles(facts) : null;
  return { builder: facts.builder, target: facts.target ?? null, stages, files, digests: facts.digests, notes };
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The instruction text in the key: heredoc bodies included; under BuildKit a RUN adds its environment. */
function keyOf(step: Step, builder: Builder, env: string): string {
  let key = `${step.keyword} ${squash(step.args)}`;
  for (const h of step.heredocs) key += `\n<<${h.name}\n${h.body}`;
  if (step.keyword === 'COPY' || step.keyword === 'ADD') key += `\n-> ${step.destination ?? ''}`;
  if (step.keyword === 'RUN' || step.keyword === 'WORKDIR') key += `\nin ${step.workdir}`;
  if (builder === 'buildkit' && step.keyword === 'RUN' && env) key += env;
  return key;
}

function addArgs(
  model: DockerfileModel,
  input: StepInput,
  used: readonly { name: string; declaredAt: number }[],
  facts: InputFacts,
): void {
  if (used.length === 0) return;
  input.args = {};
  for (const { name, declaredAt } of used) {
    const given = facts.argValue?.(name);
    input.args[name] = given !== undefined ? given : valueDigest(argDefault(model, name, declaredAt));
  }
}

/** The default an ARG line gives a name (null: none). */
function argDefault(model: DockerfileModel, name: string, line: number): string | null {
  const i = stepIndexAtLine(model.steps, line);
  const step = i >= 0 && model.steps[i].keyword === 'ARG' ? model.steps[i] : undefined;
  for (const w of step?.words ?? []) {
    const eq = w.indexOf('=');
    if (eq > 0 && w.slice(0, eq) === name) return w.slice(eq + 1);
  }
  return model.globalArgs.get(name) ?? null;
}

/** The digest a build arg's value is kept as (null stays null: unset). */
export function valueDigest(value: string | null): string | null {
  return value === null ? null : createHash('sha256').update(value).digest('hex').slice(0, 16);
}

function addFiles(step: Step, input: StepInput, facts: InputFacts, notes: string[]): void {
  const sources = contextSourcePaths(step, facts.context);
  const remote = contextSources(step, facts.context).filter((s) => s.kind === 'remote');
  if (remote.length) input.remote = remote.map((s) => s.raw);
  if (sources.length === 0) return;
  const context = facts.context;
  if (!context || context.truncated || !facts.digests) {
    input.files = { digest: null, count: 0, sources };
    return;
  }
  const d = sourcesDigest(context, facts.digests, sources);
  input.files = { digest: d.unread ? null : d.digest, count: d.count, sources };
  if (d.unread) notes.push(`line ${step.line}: ${d.unread} of the ${d.count} files it copies could not be read`);
}

interface SourcesDigest {
  digest: string;
  count: number;
  unread: number;
}

/** Digests of source lists, per listing and digests read (every keystroke asks again for the same sources). */
const sourcesMemo = new WeakMap<
  ReadonlyMap<string, string>,
  { context: BuildContextFacts; by: Map<string, SourcesDigest> }
>();
const MAX_MEMO = 20_000;

function sourcesDigest(
  context: BuildContextFacts,
  digests: ReadonlyMap<string, string>,
  sources: readonly string[],
): SourcesDigest {
  let memo = sourcesMemo.get(digests);
  if (!memo || memo.context !== context) sourcesMemo.set(digests, (memo = { context, by: new Map() }));
  const key = sources.join('\0');
  const known = memo.by.get(key);
  if (known) return known;
  const h = createHash('sha256');
  let count = 0;
  let unread = 0;
  for (const src of sources) {
    h.update(`\0${src}\n`);
    for (const f of selectedFiles(context, src)) {
      const d = digests.get(f.path);
      if (d === undefined) unread++;
      h.update(`${f.path}\0${d ?? ''}\n`);
      count++;
    }
  }
  const out = { digest: h.digest('hex').slice(0, 32), count, unread };
  if (memo.by.size < MAX_MEMO) memo.by.set(key, out);
  return out;
}

function addCopies(model: DockerfileModel, step: Step, input: StepInput): void {
  const copies: { stage: number; path: string }[] = [];
  const from = step.copyFrom?.stage;
  if ((step.keyword === 'COPY' || step.keyword === 'ADD') && from !== null && from !== undefined)
    for (const src of step.sources?.length ? step.sources : ['/']) copies.push({ stage: from, path: src });
  if (step.keyword === 'RUN') {
    for (const m of mountsOf(step)) {
      if (m.type !== 'bind' || m.from === null) continue;
      const idx = stageIndexByRef(model, m.from);
      if (idx >= 0 && idx < step.stage) copies.push({ stage: idx, path: m.source ?? '/' });
    }
  }
  if (copies.length) input.copies = copies;
}

function recordedFiles(facts: InputFacts): Record<string, string> | null {
  if (!facts.digests || facts.digests.size > MAX_RECORDED_FILES) return null;
  const out: Record<string, string> = {};
  for (const [p, d] of [...facts.digests.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out[p] = d;
  return out;
}
