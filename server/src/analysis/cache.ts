// The cache-risk model: what inputs each step has, and how a cache miss flows down to every later step.
//
// A builder reuses a step from its cache when the step and everything it is built on are unchanged. Each step's
// own inputs are: the files it brings in from the build context (COPY/ADD sources, RUN bind mounts), remote
// URLs (ADD https://... is re-checked on every build), the build args it consumes (an ARG's value enters the
// cache key at its first use: the first RUN after it, or the first instruction that names it), and, for FROM,
// the base image reference (a floating tag such as none, `latest`, `20` or `lts` moves under you). A cache miss on
// one step re-runs every later step of its stage and every step of a stage built FROM it.
//
// COPY --from and RUN --mount=from=: BuildKit and the legacy builder key these on the content of the copied paths,
// so a copy re-runs only when the steps that wrote the copied path write something different. A copy of a path
// takes the causes of those steps (provenance.ts): a COPY's own inputs; for a RUN whose output there depends only on
// the dependency manifests (`npm ci`'s node_modules, `cargo chef prepare`'s recipe, `pip wheel -r`'s wheels, a
// bundle), its manifest, build-arg and base-image causes but no source edit, with a reason that says why; for any
// other RUN, every cause that reached it. Where we cannot tell which step wrote the path, we stay conservative and
// the reason says so: a RUN we cannot read counts as having written it (every cause that reached that RUN), and
// with too many steps or stages to follow the copy takes the whole stage's causes. What stays an upper bound: a
// step that re-runs may write byte-identical output (a build whose output did not change), counted as changed.
//
// Bounded by construction: a cause's "through stage" trail names a few stages and counts the rest, and what a stage
// hands on to the stages built on it (or copying from it) is its first causes of each level and a count of the
// others, so long chains and wide fan-ins of stages cost linear time; input text quoted in a reason is shortened.
// Provenance follows a bounded number of steps and stages per copy (provenance.ts).
//
// Levels: "high" when an ordinary source edit re-runs the step (a COPY/ADD at or above it brings in files such an
// edit changes: ordinaryEdit.ts decides which, from git history or what the files are); "medium" when only a change
// of files an ordinary edit does not touch (dependency manifests and artifacts, build and start files, rarely
// changed files, another single file), a build arg, a remote URL or a base-image update does; "low" otherwise.

import { isManifestName } from './ecosystems';
import { floats, stagePin, whyFloats } from './imageRef';
import { readAlike } from './parse';
import { contextPath } from './paths';
import { copiedPath, MAX_STAGES, ProvenanceReader, type Origin } from './provenance';
import { keep, sameRisk } from './reuse';
import type {
  AnalysisFacts,
  BuildContextFacts,
  CacheRisk,
  CacheRiskLevel,
  DockerfileModel,
  RebuildCost,
  Stage,
  Step,
} from './model';
import { changedIn, isFolderSource, judgeSource, type SourceJudgement } from './ordinaryEdit';
import { classifyPath, contextSources, mountsOf, sourceMatches, type ContextSource } from './sources';

export interface CacheAssessment {
  /** By step index. */
  risks: CacheRisk[];
  rebuild: RebuildCost;
}

/** One reason a step (and everything after it) re-runs. */
interface Cause {
  level: Exclude<CacheRiskLevel, 'low'>;
  line: number;
  /** The sentence shown: `origin` and the trail of stages it came through. */
  reason: string;
  /**
   * What happens, when several reasons tell of one event: an update of one base image (`base:alpine:3.20`, however many
   * stages build FROM it) or a change of one build arg (`arg:NAME`, one --build-arg value for every stage). Causes
   * are told apart by this key, else by their reason.
   */
  key?: string;
  /** The sentence where the cause arises, and the first stages it came through (set once it leaves its stage). */
  trail?: { origin: string; stages: readonly string[]; more: number };
}

/** What a stage hands on: its first causes of each level (in order), and how many more of each it had. */
interface StageEnd {
  causes: Cause[];
  hiddenHigh: number;
  hiddenMedium: number;
}

/** Causes of each level a stage hands on by name (the rest are counted): enough for the reasons a step shows. */
const MAX_HANDED_ON = 16;
/** Stages a reason names on its way ("through stage a"); further ones are counted. */
const MAX_TRAIL = 6;
/** Input text (an image reference, a path, a stage name) quoted in a reason is cut to this many characters. */
const MAX_QUOTED = 120;

const NO_END: StageEnd = Object.freeze({
  causes: Object.freeze([]) as unknown as Cause[],
  hiddenHigh: 0,
  hiddenMedium: 0,
});

/** Input text for a reason, shortened when long (reasons are repeated on every later step). */
function clip(text: string, max = MAX_QUOTED): string {
  return text.length > max ? text.slice(0, max - 3) + '...' : text;
}

/** A step's own inputs, as the builder folds them into its cache key. */
export interface StepInputs {
  remoteUrls: string[];
  /** Build args whose value enters the cache key at this step. */
  buildArgs: { name: string; declaredAt: number }[];
  /** For FROM: the base reference when its tag floats. */
  floatingBase: string | null;
  cacheMounts: string[];
  bindMounts: { source: string; from: string | null }[];
}

const MAX_REASONS = 4;

/** The inputs of a step that has none (most steps): shared, never written. */
const NO_INPUTS: StepInputs = Object.freeze({
  remoteUrls: Object.freeze([]) as unknown as string[],
  buildArgs: Object.freeze([]) as unknown as StepInputs['buildArgs'],
  floatingBase: null,
  cacheMounts: Object.freeze([]) as unknown as string[],
  bindMounts: Object.freeze([]) as unknown as StepInputs['bindMounts'],
});

/**
 * `previous`: the document's previous version, its model and the risks found for it. Its risks are kept where the new
 * ones are equal, and taken as they are for the unchanged prefix of the file: a step's risk depends only on itself,
 * the steps above it and the context and git facts, so while those are the previous version's objects so is the risk.
 */
export function assessCache(
  model: DockerfileModel,
  facts: AnalysisFacts,
  previous?: { model: DockerfileModel; steps: readonly { cacheRisk: CacheRisk }[] },
): CacheAssessment {
  const inputs = stepInputs(model, facts.context);
  assessedWith.set(model, { context: facts.context, git: facts.git });
  const prior = previous?.steps;
  const unchanged = previous ? unchangedPrefix(model, facts, previous.model) : 0;
  // every step of a stage is set below; the rest (ARGs before the first FROM) stay low
  const risks: CacheRisk[] = new Array<CacheRisk>(model.steps.length);
  const stageEnd: StageEnd[] = [];
  const refs = stageRefs(model);
  const hidden = { high: 0, medium: 0 };
  const kept = newKept(model, facts, stageEnd);
  for (const stage of model.stages) {
    const carried = new Carried();
    const copied = kept.copied[stage.index] === 1;
    if (copied) kept.carried[stage.index] = carried;
    if (stage.baseStage !== null) {
      const base = stageEnd[stage.baseStage] ?? NO_END;
      for (const c of base.causes) carried.add(viaStage(c, model.stages[stage.baseStage]));
      carried.hide(base.hiddenHigh, base.hiddenMedium);
    }
    let before: CacheRisk | null = null;
    // indexed loops: this runs for every step on every keystroke, and for-of allocates an iterator each time
    for (let k = 0; k < stage.steps.length; k++) {
      const i = stage.steps[k];
      const step = model.steps[i];
      hidden.high = hidden.medium = 0;
      const own = ownCauses(model, step, inputs[i], facts, kept, refs, hidden);
      for (let c = 0; c < own.length; c++) carried.add(own[c]);
      carried.hide(hidden.high, hidden.medium);
      if (copied) kept.mark(i, carried);
      if ((step.keyword === 'COPY' || step.keyword === 'ADD') && (own.length || hidden.high || hidden.medium))
        kept.own.set(i, { causes: own, hiddenHigh: hidden.high, hiddenMedium: hidden.medium });
      // a step with no inputs of its own carries exactly the risk of the step before it
      risks[i] =
        i < unchanged
          ? (prior as readonly { cacheRisk: CacheRisk }[])[i].cacheRisk
          : own.length === 0 && before
            ? before
            : keep(toRisk(carried, own), prior?.[i]?.cacheRisk, sameRisk);
      before = risks[i];
    }
    stageEnd[stage.index] = carried.handedOn();
  }
  for (let i = 0; i < risks.length; i++)
    risks[i] ??= keep<CacheRisk>({ level: 'low', reasons: [] }, prior?.[i]?.cacheRisk, sameRisk);
  return { risks, rebuild: rebuildCost(model, risks, facts) };
}

/** The facts each model's risks were assessed with. */
const assessedWith = new WeakMap<DockerfileModel, { context: AnalysisFacts['context']; git: AnalysisFacts['git'] }>();

/**
 * How many leading steps are the previous model's own objects, read with the same options and assessed with the same
 * context and git facts (else 0).
 */
function unchangedPrefix(model: DockerfileModel, facts: AnalysisFacts, previous: DockerfileModel): number {
  const was = assessedWith.get(previous);
  if (!was || was.context !== facts.context || was.git !== facts.git || !readAlike(model, previous)) return 0;
  let n = 0;
  while (n < model.steps.length && n < previous.steps.length && model.steps[n] === previous.steps[n]) n++;
  return n;
}

/** The inputs of every step (by step index). */
export function stepInputs(model: DockerfileModel, context?: BuildContextFacts): StepInputs[] {
  const out: StepInputs[] = new Array<StepInputs>(model.steps.length).fill(NO_INPUTS);
  const globalLines = globalArgLines(model);
  for (const stage of model.stages) {
    const pending = new Map<string, { line: number; seq: number }>(); // ARG name -> line and order, until first use
    let seq = 0;
    for (let k = 0; k < stage.steps.length; k++) {
      const i = stage.steps[k];
      const step = model.steps[i];
      if (step.keyword === 'FROM') {
        if (isFloating(model, stage)) writable(out, i).floatingBase = stage.from;
        // global ARGs named in FROM are consumed here
        for (const name of referencedVars(step.args)) {
          if (model.globalArgs.has(name))
            writable(out, i).buildArgs.push({ name, declaredAt: globalLines.get(name) ?? 1 });
        }
        continue;
      }
      if (step.keyword === 'COPY' || step.keyword === 'ADD') {
        for (const s of contextSources(step, context)) if (s.kind === 'remote') writable(out, i).remoteUrls.push(s.raw);
      }
      if (step.keyword === 'RUN') {
        for (const m of mountsOf(step)) {
          if (m.type === 'cache' && m.target) writable(out, i).cacheMounts.push(m.target);
          if (m.type === 'bind') writable(out, i).bindMounts.push({ source: m.source ?? '.', from: m.from });
        }
      }
      // build args: consumed by the first RUN after the ARG (they are in its environment) or the first
      // instruction that names them
      if (pending.size) {
        // a RUN takes them all; another step only those it names (looked up by name: there may be thousands pending)
        const used = step.keyword === 'RUN' ? [...pending.keys()] : namedPending(pending, step);
        for (const name of used) {
          writable(out, i).buildArgs.push({ name, declaredAt: (pending.get(name) as { line: number }).line });
          pending.delete(name);
        }
      }
      if (step.keyword === 'ARG') {
        for (const w of step.words) {
          const name = w.split('=')[0];
          if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
            // a re-declared ARG keeps its place
            pending.set(name, { line: step.line, seq: pending.get(name)?.seq ?? seq++ });
        }
      }
    }
  }
  return out;
}

/** The pending ARGs a step names, in the order they were declared. */
function namedPending(pending: Map<string, { seq: number }>, step: Step): string[] {
  const named = new Set<string>();
  for (const n of referencedVars(step.args)) if (pending.has(n)) named.add(n);
  for (const n of referencedVars(step.command)) if (pending.has(n)) named.add(n);
  const seqOf = (n: string) => (pending.get(n) as { seq: number }).seq;
  return named.size <= 1 ? [...named] : [...named].sort((a, b) => seqOf(a) - seqOf(b));
}

/** The step's own record, allocated on its first input (most steps have none and share NO_INPUTS). */
function writable(out: StepInputs[], i: number): StepInputs {
  if (out[i] === NO_INPUTS)
    out[i] = { remoteUrls: [], buildArgs: [], floatingBase: null, cacheMounts: [], bindMounts: [] };
  return out[i];
}

const NO_CAUSES: Cause[] = [];

/**
 * The causes a step's own inputs give. What it takes from other stages (COPY --from, RUN --mount=from) comes as
 * those stages hand it on: the causes named, and the counts of the others added to `hidden`.
 */
function ownCauses(
  model: DockerfileModel,
  step: Step,
  inp: StepInputs,
  facts: AnalysisFacts,
  kept: Kept,
  refs: StageRefs,
  hidden: { high: number; medium: number },
): Cause[] {
  // most steps (RUN without mounts, ENV, ...) have no inputs of their own
  if (inp === NO_INPUTS && step.keyword !== 'COPY' && step.keyword !== 'ADD') return NO_CAUSES;
  const causes: Cause[] = [];
  if (inp.floatingBase !== null) {
    const ref = inp.floatingBase;
    causes.push({
      level: 'medium',
      line: step.line,
      key: `base:${ref}`,
      reason: `re-runs when the base image ${clip(ref)} is updated: ${clip(whyFloats(ref) ?? 'its tag floats')} (FROM at line ${step.line})`,
    });
  }
  for (const a of inp.buildArgs) {
    causes.push({
      level: 'medium',
      line: a.declaredAt,
      key: `arg:${a.name}`,
      reason: `re-runs when the build arg ${clip(a.name)} changes (ARG at line ${a.declaredAt}, first used at line ${step.line})`,
    });
  }
  for (const url of inp.remoteUrls) {
    causes.push({
      level: 'medium',
      line: step.line,
      reason: `re-runs when ${clip(url)} changes: ADD at line ${step.line} checks the URL on every build`,
    });
  }
  // loops, not push(...list): a list may be longer than the call stack takes as arguments
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    for (const c of copyCauses(step, facts)) causes.push(c);
    if (step.copyFrom?.stage !== null && step.copyFrom?.stage !== undefined) {
      const from = model.stages[step.copyFrom.stage];
      for (const src of step.sources?.length ? step.sources : ['/']) takeFrom(kept, from, step, src, causes, hidden);
    }
  }
  for (const m of inp.bindMounts) {
    if (m.from === null) {
      const s = classifyPath(m.source, facts.context);
      for (const c of sourceCauses(
        [s],
        step,
        `the bind mount of ${m.source === '.' || m.source === '' ? 'the context' : clip(m.source)}`,
        facts,
      ))
        causes.push(c);
    } else {
      const idx = stageIndexOf(refs, m.from);
      if (idx >= 0 && idx < step.stage) takeFrom(kept, model.stages[idx], step, m.source ?? '/', causes, hidden);
    }
  }
  return causes;
}

/**
 * What a COPY --from (or a mount from) stage `from` of `path` takes: the causes of the steps that wrote that path
 * (provenance.ts), each through the stages between; the whole stage's when we cannot tell them.
 */
function takeFrom(
  kept: Kept,
  from: Stage,
  step: Step,
  path: string,
  causes: Cause[],
  hidden: { high: number; medium: number },
): void {
  const prov = kept.provenance.of(from.index, path);
  if (prov.origins === null) {
    const end = kept.stageEnd[from.index] ?? NO_END;
    const note = `where we cannot follow which step wrote what is copied: ${clip(prov.why)}`;
    for (const c of end.causes) causes.push(viaStage(c, from, step.line, note));
    hidden.high += end.hiddenHigh;
    hidden.medium += end.hiddenMedium;
    return;
  }
  for (const o of prov.origins) {
    const got = originCauses(kept, o, path);
    hidden.high += got.hiddenHigh;
    hidden.medium += got.hiddenMedium;
    if (got.causes.length === 0) continue;
    const chain = o.stage === from.index ? [from] : stagesBetween(kept.model, from, o.stage);
    const writer = kept.model.steps[o.step];
    // path-free, so that the copies of several paths a step may have written share one reason
    const note =
      o.how === 'run' && o.unknown !== null
        ? `where we cannot tell what \`${clip(o.unknown, 60)}\` at line ${writer.line} writes, so it may have written what is copied`
        : undefined;
    for (const c of got.causes) {
      let via = c;
      for (const s of chain) via = viaStage(via, s, step.line, s.index === o.stage ? note : undefined);
      causes.push(via);
    }
  }
}

/** The causes one origin of a copied `path`'s content hands on (see provenance.ts). */
function originCauses(kept: Kept, o: Origin, path: string): StageEnd {
  if (o.how === 'own') return kept.own.get(o.step) ?? NO_END;
  if (o.how !== 'keyed') return kept.at(o.step, false);
  const got = kept.at(o.step, true);
  if (!got.dropped) return got;
  // a source edit re-runs the step, but what it writes there depends on the manifests alone
  const line = kept.model.steps[o.step].line;
  const shown = clip(copiedPath(path));
  const note: Cause = {
    level: 'medium',
    line,
    reason: `re-runs when the dependency manifests change: ${shown} is written by \`${clip(o.by, 60)}\` at line ${line}, whose output depends only on the dependency manifests`,
  };
  return { causes: [note, ...got.causes], hiddenHigh: got.hiddenHigh, hiddenMedium: got.hiddenMedium };
}

/** The stages from `inner` out to `outer` through their FROM links (inner first): the trail of a copied cause. */
function stagesBetween(model: DockerfileModel, outer: Stage, inner: number): Stage[] {
  const out: Stage[] = [outer];
  for (let s = outer; s.index !== inner && s.baseStage !== null && out.length <= MAX_STAGES;) {
    s = model.stages[s.baseStage];
    out.push(s);
  }
  return out.reverse();
}

/** What the assessment of a model keeps for the copies from its stages: the causes after each step, by step. */
interface Kept {
  model: DockerfileModel;
  provenance: ProvenanceReader;
  stageEnd: StageEnd[];
  /** By stage index: 1 for the stages a later step copies or mounts from, and the stages they are built on. */
  copied: Uint8Array;
  /** By stage index, for the copied stages only (the others' causes are not kept once handed on). */
  carried: Carried[];
  /** Notes how far the stage's causes had come just after step `step` (kept in typed arrays: one per step). */
  mark(step: number, carried: Carried): void;
  /** By step index, for COPY/ADD with inputs: the step's own causes (a copy writes what its own inputs give). */
  own: Map<number, StageEnd>;
  /** The causes handed on as they were just after step `step`; without the high ones when `mediumOnly`. */
  at(step: number, mediumOnly: boolean): StageEnd & { dropped: boolean };
}

function newKept(model: DockerfileModel, facts: AnalysisFacts, stageEnd: StageEnd[]): Kept {
  const memo = new Map<number, StageEnd & { dropped: boolean }>();
  // -1: not marked (a step before the first FROM)
  const n = new Float64Array(model.steps.length).fill(-1);
  const hiddenHigh = new Float64Array(model.steps.length);
  const hiddenMedium = new Float64Array(model.steps.length);
  const kept: Kept = {
    model,
    provenance: new ProvenanceReader(model, facts.context),
    stageEnd,
    copied: copiedStages(model),
    carried: [],
    own: new Map(),
    mark(step, carried) {
      n[step] = carried.list.length;
      hiddenHigh[step] = carried.hiddenHigh;
      hiddenMedium[step] = carried.hiddenMedium;
    },
    at(step, mediumOnly) {
      const key = step * 2 + (mediumOnly ? 1 : 0);
      let got = memo.get(key);
      if (!got) {
        const carried = kept.carried[model.steps[step].stage];
        got =
          carried && n[step] >= 0
            ? carried.handedOnAt(
                { n: n[step], hiddenHigh: hiddenHigh[step], hiddenMedium: hiddenMedium[step] },
                mediumOnly,
              )
            : { ...NO_END, dropped: false };
        memo.set(key, got);
      }
      return got;
    },
  };
  return kept;
}

/** The stages a later step copies or mounts from, and (transitively) the stages they are built FROM. */
function copiedStages(model: DockerfileModel): Uint8Array {
  const out = new Uint8Array(model.stages.length);
  const refs = stageRefs(model);
  for (const step of model.steps) {
    const from = step.copyFrom?.stage;
    if (from === null || from === undefined) continue;
    out[from] = 1;
    // a RUN's copyFrom is its first mount from a stage: the others too
    if (step.keyword === 'RUN')
      for (const m of mountsOf(step)) {
        const idx = m.from === null ? -1 : stageIndexOf(refs, m.from);
        if (idx >= 0 && idx < step.stage) out[idx] = 1;
      }
  }
  // a stage is built on lower-numbered ones: one pass from the last carries the mark down every chain
  for (let s = model.stages.length - 1; s >= 0; s--) {
    const base = model.stages[s].baseStage;
    if (out[s] === 1 && base !== null && base < s) out[base] = 1;
  }
  return out;
}

/**
 * Stage references as RUN --mount=from= reads them: a stage's name (lowercased; the first stage of that name) or its
 * index, to the stage index. Built once per model.
 */
function stageRefs(model: DockerfileModel): StageRefs {
  let refs = stageRefsOf.get(model);
  if (refs) return refs;
  refs = { names: new Map<string, number>(), count: model.stages.length };
  for (const st of model.stages) if (st.name !== null && !refs.names.has(st.name)) refs.names.set(st.name, st.index);
  stageRefsOf.set(model, refs);
  return refs;
}

interface StageRefs {
  /** Lowercased name -> the first stage of that name. */
  names: Map<string, number>;
  count: number;
}

const stageRefsOf = new WeakMap<DockerfileModel, StageRefs>();

/** The first stage whose name is `ref` (any case) or whose index is `ref` written in decimal; -1 for none. */
/** The stage a `--from=` / `from=` reference names in this file (a name or an index), or -1. */
export function stageIndexByRef(model: DockerfileModel, ref: string): number {
  return stageIndexOf(stageRefs(model), ref);
}

function stageIndexOf(refs: StageRefs, ref: string): number {
  const byName = refs.names.get(ref.toLowerCase()) ?? -1;
  const byIndex = /^(0|[1-9][0-9]{0,14})$/.test(ref) && Number(ref) < refs.count ? Number(ref) : -1;
  if (byName < 0) return byIndex;
  return byIndex < 0 ? byName : Math.min(byName, byIndex);
}

/**
 * The causes a COPY/ADD's own sources give: they depend on the step, the context listing and the git history only,
 * so they are kept per Step object while those facts are the same objects.
 */
function copyCauses(step: Step, facts: AnalysisFacts): Cause[] {
  const kept = copyCausesMemo.get(step);
  if (kept && kept.context === facts.context && kept.git === facts.git) return kept.causes;
  const sources = contextSources(step, facts.context);
  const causes = sources.length ? sourceCauses(sources, step, instructionText(step), facts) : [];
  copyCausesMemo.set(step, { context: facts.context, git: facts.git, causes });
  return causes;
}

const copyCausesMemo = new WeakMap<
  Step,
  { context: AnalysisFacts['context']; git: AnalysisFacts['git']; causes: Cause[] }
>();

function sourceCauses(sources: ContextSource[], step: Step, what: string, facts: AnalysisFacts): Cause[] {
  const out: Cause[] = [];
  const at = `${what} at line ${step.line}`;
  // a bind mount has no destination: only COPY/ADD are judged by where their files go
  const dest = step.keyword === 'RUN' ? undefined : step.destination;
  const judged = sources.filter((s) => s.kind !== 'remote').map((s) => ({ s, j: judgeSource(s, dest, facts) }));
  const high = judged.filter((x) => x.j.ordinary).map((x) => x.s);
  const medium = judged.filter((x) => !x.j.ordinary);
  if (high.length) {
    const whole = high.find((s) => s.kind === 'context');
    const subject = whole
      ? 'any file in the context changes'
      : high.length === 1 && high[0].kind === 'folder'
        ? `a file under ${clip(high[0].path)}/ changes`
        : `${listNames(high.map((s) => s.raw))} change${high.length === 1 && !/[*?]/.test(high[0].raw) ? 's' : ''}`;
    out.push({
      level: 'high',
      line: step.line,
      reason: `re-runs whenever ${subject}, because of ${at}${churnNote(high, facts, false)}`,
    });
  }
  if (medium.length) {
    const srcs = medium.map((x) => x.s);
    const kind = medium.every((x) => x.j.class === 'manifest') ? 'dependency manifests ' : '';
    const subject =
      srcs.length === 1 && isFolderSource(srcs[0])
        ? `a file under ${clip(srcs[0].path)}/ changes`
        : `the ${kind}${listNames(srcs.map((s) => s.raw))} change${srcs.length === 1 && !/[*?]/.test(srcs[0].raw) ? 's' : ''}`;
    const why = notOrdinaryNote(
      medium.map((x) => x.j),
      srcs,
      facts,
    );
    out.push({ level: 'medium', line: step.line, reason: `re-runs when ${subject} (${at})${why}` });
  }
  return out;
}

/**
 * Why files a step copies are not what an ordinary edit touches: ": a build script, not what an ordinary edit
 * touches", or the history's count. Dependency manifests alone and other single files keep the plain churn note.
 */
function notOrdinaryNote(judged: SourceJudgement[], sources: ContextSource[], facts: AnalysisFacts): string {
  if (judged.every((j) => j.class === 'rare')) {
    // every rare judgement has the same counts of commits; the files together changed in this many of them
    const e = judged[0].evidence as NonNullable<SourceJudgement['evidence']>;
    const of =
      e.of === e.commits
        ? `the last ${e.commits} commits`
        : `the ${e.of} commits (of the last ${e.commits}) that changed the build context`;
    return `; these files changed in ${changedIn(sources, facts) ?? e.changed} of ${of}; an ordinary edit does not touch them`;
  }
  const named = judged.filter((j) => j.class !== 'file' && j.class !== 'rare');
  if (named.length === 0 || named.every((j) => j.class === 'manifest')) return churnNote(sources, facts);
  const whats: string[] = [];
  for (const j of judged) {
    const w = j.class === 'rare' ? 'files that rarely change' : j.what;
    if (w && !whats.includes(w)) whats.push(w);
  }
  const list = whats.length === 1 ? whats[0] : `${whats.slice(0, -1).join(', ')} and ${whats[whats.length - 1]}`;
  return `: ${list}, not what an ordinary edit touches${churnNote(sources, facts)}`;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 3).map((n) => clip(n));
  const rest = names.length - shown.length;
  return shown.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

/**
 * "; these files changed in 31 of the last 50 commits" from git history, when we have it. `zero`: whether "in 0 of"
 * is said; not beside a high cause, where it reads as a contradiction (a whole-context copy, an untracked build
 * output: any edit reaches them whatever the history says).
 */
function churnNote(sources: ContextSource[], facts: AnalysisFacts, zero = true): string {
  const n = changedIn(sources, facts);
  if (n === null || (n === 0 && !zero)) return '';
  return `; these files changed in ${n} of the last ${facts.git!.commits} commits`;
}

/**
 * The cause as it reaches another stage through `from`: "... (through stage a) (through stage b)", naming the first
 * MAX_TRAIL stages and counting the rest, so a reason stays short however long the chain of stages. `note` says what
 * we could not tell about the stage ("where we cannot tell which step wrote /out").
 */
function viaStage(c: Cause, from: Stage, line?: number, note?: string): Cause {
  const name = clip(from.name ?? String(from.index), 60);
  const label = note === undefined ? name : `${name}, ${note}`;
  const trail = c.trail ?? { origin: c.reason, stages: [], more: 0 };
  if (trail.stages.includes(label)) return c;
  const next =
    trail.stages.length < MAX_TRAIL
      ? { origin: trail.origin, stages: [...trail.stages, label], more: trail.more }
      : { origin: trail.origin, stages: trail.stages, more: trail.more + 1 };
  let reason = next.origin;
  for (const s of next.stages) reason += ` (through stage ${s})`;
  if (next.more > 0) reason += ` (and ${next.more} more stage${next.more === 1 ? '' : 's'})`;
  return { level: c.level, line: line ?? c.line, reason, trail: next, ...(c.key === undefined ? {} : { key: c.key }) };
}

/**
 * The causes carried down a stage, in the order they appeared, without duplicate reasons. Kept incrementally with
 * per-level indexes so that each step's risk costs O(own causes), not O(everything above it): a 5,000-line file has
 * thousands of causes.
 */
class Carried {
  readonly list: Cause[] = [];
  /** Identity (key or reason) -> position in list. */
  readonly position = new Map<string, number>();
  /** Positions of the high and medium causes, ascending. */
  readonly high: number[] = [];
  readonly medium: number[] = [];
  /** Causes of each level that came from other stages as a count only (see StageEnd). */
  hiddenHigh = 0;
  hiddenMedium = 0;

  add(c: Cause): void {
    const id = identity(c);
    if (this.position.has(id)) return;
    this.position.set(id, this.list.length);
    (c.level === 'high' ? this.high : this.medium).push(this.list.length);
    this.list.push(c);
  }

  hide(high: number, medium: number): void {
    this.hiddenHigh += high;
    this.hiddenMedium += medium;
  }

  /**
   * What the stage had to hand on at `m`: its first MAX_HANDED_ON causes of each level then, in order, and a count of
   * the rest; with `mediumOnly`, without the high ones (`dropped` says whether there were any).
   */
  handedOnAt(m: Mark, mediumOnly: boolean): StageEnd & { dropped: boolean } {
    const highs = countBelow(this.high, m.n);
    const mediums = countBelow(this.medium, m.n);
    const picked = this.medium.slice(0, Math.min(mediums, MAX_HANDED_ON));
    if (!mediumOnly) for (let k = 0; k < Math.min(highs, MAX_HANDED_ON); k++) picked.push(this.high[k]);
    picked.sort((a, b) => a - b);
    return {
      causes: picked.map((at) => this.list[at]),
      hiddenHigh: mediumOnly ? 0 : m.hiddenHigh + Math.max(0, highs - MAX_HANDED_ON),
      hiddenMedium: m.hiddenMedium + Math.max(0, mediums - MAX_HANDED_ON),
      dropped: mediumOnly && (highs > 0 || m.hiddenHigh > 0),
    };
  }

  /** What the stage hands on: its first MAX_HANDED_ON causes of each level, in order, and a count of the rest. */
  handedOn(): StageEnd {
    if (this.high.length <= MAX_HANDED_ON && this.medium.length <= MAX_HANDED_ON) {
      return { causes: this.list, hiddenHigh: this.hiddenHigh, hiddenMedium: this.hiddenMedium };
    }
    const causes: Cause[] = [];
    let high = 0;
    let medium = 0;
    for (const c of this.list) {
      if (c.level === 'high' ? high++ < MAX_HANDED_ON : medium++ < MAX_HANDED_ON) causes.push(c);
    }
    return {
      causes,
      hiddenHigh: this.hiddenHigh + Math.max(0, high - MAX_HANDED_ON),
      hiddenMedium: this.hiddenMedium + Math.max(0, medium - MAX_HANDED_ON),
    };
  }
}

/** A point in a stage's causes: how many it had, and how many it counted without naming (Kept.mark). */
interface Mark {
  n: number;
  hiddenHigh: number;
  hiddenMedium: number;
}

/** How many of the ascending positions are below `n`. */
function countBelow(positions: readonly number[], n: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What tells causes apart: their event key, else their reason. */
function identity(c: Cause): string {
  return c.key ?? c.reason;
}

/** The step's risk: high causes before medium ones, and within each, the step's own inputs first. */
function toRisk(carried: Carried, own: Cause[]): CacheRisk {
  const total = carried.high.length + carried.medium.length + carried.hiddenHigh + carried.hiddenMedium;
  if (total === 0) return { level: 'low', reasons: [] };
  const mine = new Set<number>();
  for (const c of own) {
    const at = carried.position.get(identity(c));
    if (at !== undefined) mine.add(at);
  }
  const mineSorted = [...mine].sort((a, b) => a - b);
  // the first causes in order: own high, other high, own medium, other medium (each in the order they appeared)
  const ordered: number[] = [];
  const want = MAX_REASONS + 1;
  for (const level of [carried.high, carried.medium]) {
    const name = level === carried.high ? 'high' : 'medium';
    for (let k = 0; k < mineSorted.length && ordered.length < want; k++) {
      if (carried.list[mineSorted[k]].level === name) ordered.push(mineSorted[k]);
    }
    for (let k = 0; k < level.length && ordered.length < want; k++) if (!mine.has(level[k])) ordered.push(level[k]);
  }
  const reasons = ordered.slice(0, MAX_REASONS).map((at) => carried.list[at].reason);
  if (total > MAX_REASONS) reasons.push(`and ${total - MAX_REASONS} more inputs above this step`);
  return { level: carried.high.length ? 'high' : 'medium', reasons, causeLine: carried.list[ordered[0]].line };
}

/** The text of an instruction for a message: `COPY . .`, shortened. */
function instructionText(step: Step): string {
  const text = `${step.keyword} ${step.args}`.replace(/\s+/g, ' ').trim();
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/**
 * A base whose image can change under the same FROM text: no tag, `latest`, a partial version (`20`, `3.12`) or a
 * named tag (`bookworm-slim`, `lts`); not a digest, a full version, scratch or an earlier stage (imageRef.ts
 * stagePin). A FROM naming a variable without a value is not read as floating: the build-arg cause covers it.
 */
function isFloating(model: DockerfileModel, stage: Stage): boolean {
  return floats(stagePin(stage, model.globalArgs));
}

function referencedVars(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('$')) return out;
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2]);
  return out;
}

/** The line of each global ARG (before the first FROM), by name: the first that declares it. */
function globalArgLines(model: DockerfileModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const st of model.steps) {
    if (st.stage >= 0) break;
    if (st.keyword !== 'ARG') continue;
    for (const w of st.words) {
      const name = w.split('=')[0];
      if (!out.has(name)) out.set(name, st.line);
    }
  }
  return out;
}

/** Stages the build of the target actually runs: the target and what it depends on, transitively. */
export function builtStages(model: DockerfileModel): Set<number> {
  const out = new Set<number>();
  // a work list, not recursion: a chain of stages may be thousands long
  const todo = [model.target];
  while (todo.length) {
    const i = todo.pop() as number;
    if (i < 0 || out.has(i) || !model.stages[i]) continue;
    out.add(i);
    for (const d of model.stages[i].dependsOn) todo.push(d);
  }
  return out;
}

/** What an ordinary source edit costs: the layer steps of the built stages that re-run. */
function rebuildCost(model: DockerfileModel, risks: CacheRisk[], facts: AnalysisFacts): RebuildCost {
  const built = builtStages(model);
  const steps = model.steps.filter((s) => s.createsLayer && built.has(s.stage) && risks[s.index].level === 'high');
  const cost: RebuildCost = { lines: steps.map((s) => s.line) };
  const measured = facts.measured && !facts.measured.mismatch ? facts.measured : undefined;
  if (measured && steps.length) {
    const byStep = new Map(measured.steps.map((m) => [m.stepIndex, m]));
    const ms = steps.map((s) => byStep.get(s.index));
    if (ms.every((m) => m !== undefined)) {
      cost.bytes = ms.reduce((t, m) => t + (m?.bytes ?? 0), 0);
      if (ms.every((m) => m?.durationMs !== undefined))
        cost.durationMs = ms.reduce((t, m) => t + (m?.durationMs ?? 0), 0);
    }
  }
  return cost;
}

/**
 * The steps (by index) that re-run when one context file changes (`path`, relative to the context root):
 * the COPY/ADD or bind-mounting RUN that brings it in, every later step of that stage, the stages built FROM
 * it, and the steps that COPY --from (or mount from) it a path whose content the file changes: one written by a
 * step that re-runs, unless that step writes it from the dependency manifests alone and the file is not a manifest
 * (provenance.ts, as assessCache reads it). A file .dockerignore excludes (absent from a known context listing)
 * re-runs nothing.
 */
export function stepsAffectedBy(model: DockerfileModel, facts: AnalysisFacts, path: string): Set<number> {
  const file = contextPath(path);
  const out = new Set<number>();
  const context =
    facts.context && !facts.context.truncated && facts.context.files.length > 0 ? facts.context : undefined;
  if (context && !context.files.some((f) => f.path === file)) return out;
  const edit: Edit = {
    provenance: new ProvenanceReader(model, facts.context),
    dirtyAt: [],
    ownDirty: [],
    dirtyAtEnd: [],
    name: file.slice(file.lastIndexOf('/') + 1),
  };
  const refs = stageRefs(model);
  for (const stage of model.stages) {
    let dirty = stage.baseStage !== null && edit.dirtyAtEnd[stage.baseStage] === true;
    for (const i of stage.steps) {
      const step = model.steps[i];
      // a copy's own inputs are asked even below a re-run step: a later copy from this stage may take only them
      const own =
        (!dirty || step.keyword === 'COPY' || step.keyword === 'ADD') && bringsIn(model, step, file, refs, edit);
      edit.ownDirty[i] = own;
      dirty = dirty || own;
      edit.dirtyAt[i] = dirty;
      if (dirty) out.add(i);
    }
    edit.dirtyAtEnd[stage.index] = dirty;
  }
  return out;
}

/** What stepsAffectedBy knows so far about one edited file. */
interface Edit {
  provenance: ProvenanceReader;
  /** By step index: the step re-runs. */
  dirtyAt: boolean[];
  /** By step index: its own inputs bring the file in. */
  ownDirty: boolean[];
  /** By stage index: its last step re-runs. */
  dirtyAtEnd: boolean[];
  /** The file's name (to tell a dependency manifest). */
  name: string;
}

/** Whether a step's own inputs change with the file: it copies or mounts it, or copies a path it changes. */
function bringsIn(model: DockerfileModel, step: Step, file: string, refs: StageRefs, edit: Edit): boolean {
  if (contextSources(step).some((s) => s.kind !== 'remote' && sourceMatches(s.path, file))) return true;
  const from = step.copyFrom?.stage;
  if ((step.keyword === 'COPY' || step.keyword === 'ADD') && from !== null && from !== undefined) {
    for (const src of step.sources?.length ? step.sources : ['/']) if (copiedChanges(edit, from, src)) return true;
  }
  if (step.keyword !== 'RUN') return false;
  return mountsOf(step).some((m) => {
    if (m.type !== 'bind') return false;
    if (m.from === null) return sourceMatches(contextPath(m.source ?? '.'), file);
    const idx = stageIndexOf(refs, m.from);
    return idx >= 0 && idx < step.stage && copiedChanges(edit, idx, m.source ?? '/');
  });
}

/** Whether the content of `path` in stage `from` changes with the edited file (see provenance.ts). */
function copiedChanges(edit: Edit, from: number, path: string): boolean {
  const prov = edit.provenance.of(from, path);
  if (prov.origins === null) return edit.dirtyAtEnd[from] === true;
  return prov.origins.some((o) =>
    o.how === 'own'
      ? edit.ownDirty[o.step] === true
      : o.how === 'keyed'
        ? edit.dirtyAt[o.step] === true && (isManifestName(edit.name) || o.manifests.includes(edit.name))
        : edit.dirtyAt[o.step] === true,
  );
}
