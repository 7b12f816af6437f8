// The rebuild forecast and the cache-miss forensics: the inputs of each step now (buildInputs.ts) against those the
// last build recorded (buildRecord.ts). Pure.
//
// A step re-runs when its own inputs changed (its instruction as the builder keys it, the content of the context
// files it brings in, a build arg's value, the base image's ID), when the content it copies from another stage
// changes, or when a step before it in its stage (or in the stage it is built FROM) re-runs: both builders key a
// step on its parent. Which steps of another stage write a copied path is provenance.ts's answer, as in the cache
// model (a COPY --from of what `npm ci` wrote changes only with the manifests). What the builder would see but we
// cannot: a remote URL's content, a base image we could not ask the engine about (the notes say so), and a step
// whose output came out byte-identical after it re-ran (counted as changed: an upper bound).
//
// Forensics after a build is the same comparison made at build time with the record before it, checked against what
// the build did: a step that ran gets the forecast's cause, or "because line N ran" when the step before it ran, or
// says the cache no longer had it.

import { readBuildInputs, type BuildInputs, type StageInputs, type StepInput } from './buildInputs';
import type { BuildRecord, RecordedStage, RecordedStep, StepOutcome } from './buildRecord';
import { isManifestName } from './ecosystems';
import type {
  AnalysisFacts,
  BuildContextFacts,
  DockerfileModel,
  Forecast,
  LayerSize,
  StepCacheOutcome,
  StepForecast,
} from './model';
import { ProvenanceReader } from './provenance';
import { entriesUnder, hasGlob, sourceMatches } from './sources';

/** Why a run of steps re-runs: a sentence, and the changed files when that is all it is. */
interface Root {
  text: string;
  files: string[] | null;
  /** For a copy from another stage: the change there (the steps after the copy name it, not the copy). */
  origin?: Root;
}

/** What is known of one step after the comparison. */
interface StepState {
  rerun: boolean;
  /** Its own inputs changed (not only a step before it). */
  own: boolean;
  root: Root | null;
  cause: string | null;
}

/** The recorded step at a step's place (same instruction), and whether it is the same step (same key). */
interface Aligned {
  step: RecordedStep;
  same: boolean;
}

/** A stage's last re-run: the line it started at and why. */
interface Chain {
  line: number;
  root: Root;
  via?: string;
}

export interface ForecastOptions {
  /** 'next': a forecast ("re-runs"); 'last': forensics of the build just made ("re-ran"). */
  tense: 'next' | 'last';
  context?: BuildContextFacts;
  /** The static estimate of a step's layer, for steps the last build did not measure. */
  estimate?: (stepIndex: number) => LayerSize | null;
}

export interface ForecastResult {
  /** By step index of the current model; only the steps with a cache key. */
  steps: Map<number, StepForecast>;
  summary: Forecast;
}

const LIST = 3;

export function forecastBuild(
  model: DockerfileModel,
  now: BuildInputs,
  record: BuildRecord,
  opts: ForecastOptions,
): ForecastResult {
  const states = new Map<number, StepState>();
  const stageChains = new Map<number, Chain | null>();
  const provenance = new ProvenanceReader(model, opts.context);
  let changed: string[] | null | undefined;
  const budget: Budget = {
    lists: MAX_LISTED_COPIES,
    changed: () => (changed === undefined ? (changed = allChanged(record.files, now.digests)) : changed),
  };
  const recorded = new Map<number, Aligned>();
  for (const stage of now.stages) {
    const rec = matchStage(record, stage);
    const base = model.stages[stage.index]?.baseStage;
    let chain: Chain | null = null;
    const from = base !== null && base !== undefined ? stageChains.get(base) : null;
    if (from) chain = { ...from, via: `stage ${model.stages[base as number].name ?? base}` };
    stage.steps.forEach((cur, k) => {
      const r = rec?.steps[k];
      const aligned = alignedStep(cur, r, rec);
      if (aligned) recorded.set(cur.index, aligned);
      const own = rec
        ? ownChange(cur, r, record, now, budget)
        : { text: `stage ${stage.name ?? stage.index} was not built last time`, files: null };
      const copied = own
        ? null
        : copyChange(model, cur, { states, chains: stageChains, provenance, tense: opts.tense });
      const state: StepState = { rerun: false, own: own !== null, root: own ?? copied, cause: null };
      if (cur.keyword === 'FROM') {
        if (own) chain = { line: cur.line, root: own };
      } else if (chain) {
        state.rerun = true;
        state.root = chain.root;
        state.cause = chainCause(chain, opts.tense);
      } else if (own ?? copied) {
        state.rerun = true;
        state.cause = (own ?? copied)?.text ?? null;
        chain = { line: cur.line, root: own ?? copied?.origin ?? (copied as Root) };
      }
      states.set(cur.index, state);
    });
    stageChains.set(stage.index, chain);
  }
  return summarise(model, now, record, states, recorded, opts);
}

/**
 * The recorded step whose time and bytes stand for this one: the step at its place when it is the same, else the
 * same step elsewhere in the stage (a step inserted above moved it), else the step at its place with the same
 * instruction (a changed line: its last version, an estimate).
 */
function alignedStep(cur: StepInput, r: RecordedStep | undefined, rec: RecordedStage | undefined): Aligned | null {
  if (r && r.key === cur.key) return { step: r, same: true };
  const moved = rec ? keyIndex(rec).get(cur.key) : undefined;
  if (moved) return { step: moved, same: true };
  return r && r.keyword === cur.keyword ? { step: r, same: false } : null;
}

/** A recorded stage's steps by key (the first of each), built once per stage. */
const keyIndexes = new WeakMap<RecordedStage, Map<string, RecordedStep>>();

function keyIndex(rec: RecordedStage): Map<string, RecordedStep> {
  let m = keyIndexes.get(rec);
  if (!m) {
    m = new Map();
    for (const x of rec.steps) if (!m.has(x.key)) m.set(x.key, x);
    keyIndexes.set(rec, m);
  }
  return m;
}

/**
 * For a step never run before: the median time of the recorded steps with its instruction, else of every step that
 * runs no command (they take about the same: a copy or a commit of the config). None for RUN: a command's time is
 * its own.
 */
function typicalMs(record: BuildRecord, keyword: string): number | null {
  if (keyword === 'RUN') return null;
  let known = typical.get(record);
  if (!known) typical.set(record, (known = new Map()));
  if (!known.has(keyword)) known.set(keyword, medianMs(record, keyword));
  return known.get(keyword) ?? null;
}

const typical = new WeakMap<BuildRecord, Map<string, number | null>>();

function medianMs(record: BuildRecord, keyword: string): number | null {
  const of = (want: (k: string) => boolean): number[] => {
    const times: number[] = [];
    for (const st of record.stages)
      for (const s of st.steps) if (want(s.keyword) && s.ranMs !== null && times.length < 1000) times.push(s.ranMs);
    return times;
  };
  let times = of((k) => k === keyword);
  if (times.length === 0) times = of((k) => k !== 'RUN' && k !== 'FROM');
  if (times.length === 0) return null;
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function matchStage(record: BuildRecord, stage: StageInputs): RecordedStage | undefined {
  if (stage.name !== null) {
    const named = record.stages.find((s) => s.name === stage.name);
    if (named) return named;
  }
  return record.stages.find((s) => s.index === stage.index && (s.name === null || stage.name === null));
}

function chainCause(chain: Chain, tense: 'next' | 'last'): string {
  const verb = tense === 'next' ? 're-runs' : 're-ran';
  const what = chain.via ? `${chain.via} ${verb} from line ${chain.line}` : `line ${chain.line} ${verb}`;
  return `because ${what} (${chain.root.text})`;
}

/** The change of a step's own inputs since the record, or null. */
function ownChange(
  cur: StepInput,
  r: RecordedStep | undefined,
  record: BuildRecord,
  now: BuildInputs,
  budget: Budget,
): Root | null {
  if (!r) return { text: `line ${cur.line} is new since the last build`, files: null };
  if (r.key !== cur.key) {
    if (cur.keyword === 'FROM' && r.base && cur.base && r.base.ref !== cur.base.ref)
      return { text: `the base changed from ${r.base.ref} to ${cur.base.ref}`, files: null };
    const text =
      r.keyword === cur.keyword
        ? `line ${cur.line} changed since the last build`
        : `line ${cur.line} is new since the last build`;
    return { text, files: null };
  }
  if (cur.base && r.base && cur.base.id && r.base.id && cur.base.id !== r.base.id)
    return {
      text: `base image ${cur.base.ref} changed since the last build (${short(r.base.id)} → ${short(cur.base.id)})`,
      files: null,
    };
  const files = fileChange(cur, r, record, now, budget);
  if (files) return files;
  for (const [name, value] of Object.entries(cur.args ?? {}))
    if ((r.args ?? {})[name] !== value) return { text: `build arg ${name} changed since the last build`, files: null };
  return null;
}

function short(id: string): string {
  const hex = id.replace(/^sha256:/, '');
  return `${hex.slice(0, 12)}`;
}

/** How many copies may still list their changed files, and the changed paths (found once, when first asked). */
interface Budget {
  lists: number;
  changed: () => string[] | null;
}

const MAX_LISTED_COPIES = 50;

function fileChange(
  cur: StepInput,
  r: RecordedStep,
  record: BuildRecord,
  now: BuildInputs,
  budget: Budget,
): Root | null {
  if (!cur.files) return null;
  if (cur.files.digest !== null && r.files?.digest === cur.files.digest) return null;
  if (cur.files.digest === null)
    return { text: `the files it copies could not all be read: counted as changed`, files: null };
  // listing walks every recorded file: done for the first copies that changed, the others say which sources
  const changed = budget.lists-- > 0 ? changedPaths(cur.files.sources, budget) : null;
  if (changed === null || changed.length === 0)
    return {
      text: `files it copies (${cur.files.sources.map((s) => s || '.').join(', ')}) changed since the last build`,
      files: null,
    };
  const listed = changed.slice(0, LIST).join(', ');
  const more = changed.length > LIST ? ` and ${changed.length - LIST} more` : '';
  const text =
    changed.length === 1
      ? `${changed[0]} changed since the last build`
      : `${changed.length} files changed since the last build: ${listed}${more}`;
  return { text, files: changed };
}

/** The context paths under these sources that were added, removed or changed (null: a side was not kept). */
function changedPaths(sources: readonly string[], budget: Budget): string[] | null {
  const all = budget.changed();
  if (all === null) return null;
  const out = new Set<string>();
  for (const src of sources) {
    const hits = hasGlob(src) ? all.filter((p) => sourceMatches(src, p)) : entriesUnder(all, (p) => p, src);
    for (const p of src === '' ? all : hits) out.add(p);
  }
  return [...out].sort();
}

/** Every context path added, removed or changed since the record, sorted (null: a side was not kept). */
function allChanged(was: Record<string, string> | null, now: ReadonlyMap<string, string> | undefined): string[] | null {
  if (!was || !now) return null;
  const out: string[] = [];
  for (const [p, d] of now) if (was[p] !== d) out.push(p);
  for (const p of Object.keys(was)) if (!now.has(p)) out.push(p);
  return out.sort();
}

/** Whether what a step copies from another stage changes, and why (provenance.ts decides which steps wrote it). */
/** What copyChange reads: the steps and stages compared so far, provenance, and the tense of the sentences. */
interface CopyFacts {
  states: ReadonlyMap<number, StepState>;
  chains: ReadonlyMap<number, Chain | null>;
  provenance: ProvenanceReader;
  tense: 'next' | 'last';
}

function copyChange(model: DockerfileModel, cur: StepInput, f: CopyFacts): Root | null {
  const { states, chains, provenance } = f;
  const reruns = f.tense === 'next' ? 're-runs' : 're-ran';
  for (const c of cur.copies ?? []) {
    const chain = chains.get(c.stage);
    if (!chain) continue;
    const prov = provenance.of(c.stage, c.path);
    const name = model.stages[c.stage]?.name ?? String(c.stage);
    if (prov.origins === null)
      return { text: `stage ${name} ${reruns} and ${prov.why} (${chain.root.text})`, files: null, origin: chain.root };
    for (const o of prov.origins) {
      const s = states.get(o.step);
      if (!s) continue;
      const changes =
        o.how === 'own' || o.how === 'base'
          ? s.own
          : o.how === 'keyed'
            ? s.rerun && (s.root?.files === null || (s.root?.files ?? []).some((f) => isManifest(f, o.manifests)))
            : s.rerun;
      if (!changes || !s.root) continue;
      const line = model.steps[o.step].line;
      // a command we cannot read may write the same bytes again: the copy is then cached, which we cannot know
      const text =
        o.how === 'run'
          ? `line ${line} of stage ${name} ${reruns} (${s.root.text}) and writes what it copies: counted as changed, though it stays cached if that output comes out byte-identical`
          : `what it copies from stage ${name} changes: line ${line} ${reruns} (${s.root.text})`;
      return { text, files: null, origin: s.root };
    }
  }
  return null;
}

function isManifest(path: string, manifests: readonly string[]): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return isManifestName(base) || manifests.includes(base);
}

function summarise(
  model: DockerfileModel,
  now: BuildInputs,
  record: BuildRecord,
  states: ReadonlyMap<number, StepState>,
  recorded: ReadonlyMap<number, Aligned>,
  opts: ForecastOptions,
): ForecastResult {
  const steps = new Map<number, StepForecast>();
  const lines: number[] = [];
  let ms = record.overheadMs;
  let complete = true;
  let bytes = 0;
  const carried: number[] = [];
  for (const stage of now.stages)
    for (const cur of stage.steps) {
      const st = states.get(cur.index) as StepState;
      const a = recorded.get(cur.index);
      // a changed step's last version gives its time and bytes as an estimate
      const measured = a?.same === true && a.step.bytes !== null;
      const bytes0 = measured ? a?.step.bytes : (opts.estimate?.(cur.index)?.bytes ?? a?.step.bytes ?? null);
      const ranMs = a ? a.step.ranMs : st.rerun ? typicalMs(record, cur.keyword) : null;
      const f: StepForecast = {
        rerun: st.rerun,
        cause: st.cause,
        seconds: ranMs !== null ? ranMs / 1000 : null,
        bytes: bytes0 ?? null,
        source: measured ? 'measured' : 'estimate',
      };
      steps.set(cur.index, f);
      if (!st.rerun) continue;
      lines.push(model.steps[cur.index].line);
      if (f.seconds === null) complete = false;
      else ms += f.seconds * 1000;
      if ((!a || !a.same) && f.seconds !== null) carried.push(model.steps[cur.index].line);
      bytes += f.bytes ?? 0;
    }
  const notes = [...now.notes];
  if (carried.length)
    notes.push(
      `line${carried.length === 1 ? '' : 's'} ${carried.join(', ')} did not run in this form before: ${carried.length === 1 ? 'its time is an estimate' : 'their times are estimates'} (the previous version of the line, or the typical time of its instruction)`,
    );
  if (now.stages.some((s) => s.steps.some((x) => x.base && x.base.id === null)))
    notes.push(
      'the base image was not checked with the engine: an update of its tag would re-run the steps after FROM',
    );
  if (now.stages.some((s) => s.steps.some((x) => x.remote?.length)))
    notes.push('ADD of a URL: the builder checks it again at build time, which a forecast cannot');
  return {
    steps,
    summary: {
      lines,
      seconds: Math.round(ms / 100) / 10,
      secondsComplete: complete,
      bytes,
      since: record.time,
      builder: record.builder,
      notes,
    },
  };
}

/**
 * Forensics: for each step the build ran, its first cause. `previous` is the record before the build (null: none),
 * `now` the inputs the build was sent, `outcomes` what the build did.
 */
export function explainBuild(
  model: DockerfileModel,
  now: BuildInputs,
  previous: BuildRecord | null,
  outcomes: readonly StepOutcome[],
  context?: BuildContextFacts,
): Map<number, StepCacheOutcome> {
  const byStep = new Map(outcomes.map((o) => [o.stepIndex, o]));
  const f = previous ? forecastBuild(model, now, previous, { tense: 'last', context }) : null;
  const out = new Map<number, StepCacheOutcome>();
  const ranIn = new Map<number, number>();
  for (const stage of now.stages) {
    const base = model.stages[stage.index]?.baseStage;
    let before: number | null = base !== null && base !== undefined ? (ranIn.get(base) ?? null) : null;
    for (const cur of stage.steps) {
      const o = byStep.get(cur.index);
      if (!o || cur.keyword === 'FROM') continue;
      if (o.cached) {
        out.set(cur.index, { hit: true, cause: null });
        continue;
      }
      const predicted = f?.steps.get(cur.index);
      const cause =
        predicted?.rerun && predicted.cause
          ? predicted.cause
          : before !== null
            ? `because line ${before} ran`
            : previous
              ? 'not in the builder cache: it was pruned, or another build replaced it since the last recorded one'
              : 'no earlier build of this Dockerfile was recorded, so the cause is not known';
      out.set(cur.index, { hit: false, cause });
      before ??= cur.line;
    }
    if (before !== null) ranIn.set(stage.index, before);
  }
  return out;
}

/** What the last recorded build did with each step that is still the same (by step index of the current model). */
export function lastBuildOutcomes(now: BuildInputs, record: BuildRecord): Map<number, StepCacheOutcome> {
  const out = new Map<number, StepCacheOutcome>();
  for (const stage of now.stages) {
    const rec = matchStage(record, stage);
    stage.steps.forEach((cur, k) => {
      const r = rec?.steps[k];
      if (!r || r.key !== cur.key || r.cached === null || cur.keyword === 'FROM') return;
      const ran: StepCacheOutcome = { hit: r.cached, cause: r.cached ? null : r.cause };
      if (!r.cached && r.ranMs !== null) ran.seconds = r.ranMs / 1000;
      out.set(cur.index, ran);
    });
  }
  return out;
}

/** What analyze() shows of the next and the last build: the forecast, and per step both (by step index). */
export interface NextBuild {
  forecast: Forecast | null;
  steps: Map<number, StepForecast>;
  last: Map<number, StepCacheOutcome>;
}

export function nextBuild(
  model: DockerfileModel,
  facts: AnalysisFacts,
  estimate: (stepIndex: number) => LayerSize | null,
): NextBuild | null {
  const build = facts.build;
  if (!build) return null;
  const record = build.record;
  if (!record) return { forecast: null, steps: new Map(), last: new Map() };
  const now = readBuildInputs(model, {
    builder: record.builder,
    target: record.target,
    context: facts.context,
    digests: build.digests,
    argValue: (name) => {
      const given = build.argValue?.(name);
      if (given !== undefined) return given;
      return name in record.buildArgs ? record.buildArgs[name] : undefined;
    },
    baseId: (ref) => build.baseIds?.get(ref) ?? null,
  });
  const f = forecastBuild(model, now, record, { tense: 'next', context: facts.context, estimate });
  return { forecast: f.summary, steps: f.steps, last: lastBuildOutcomes(now, record) };
}
