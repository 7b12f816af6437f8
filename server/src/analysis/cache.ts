// The cache-risk model: what inputs each step has, and how a cache miss flows down to every later step.
//
// A builder reuses a step from its cache when the step and everything it is built on are unchanged. Each step's
// own inputs are: the files it brings in from the build context (COPY/ADD sources, RUN bind mounts), remote
// URLs (ADD https://... is re-checked on every build), the build args it consumes (an ARG's value enters the
// cache key at its first use: the first RUN after it, or the first instruction that names it), and, for FROM,
// the base image reference (a floating tag such as `latest`, `lts` or none moves under you). A cache miss on
// one step re-runs every later step of its stage, every step of a stage built FROM it, and the steps that
// COPY --from (or mount from) it.
//
// One approximation: BuildKit and the legacy builder key COPY --from on the content of the files it copies, so
// when a stage re-runs but produces byte-identical output, a COPY --from it is served from the cache. We cannot
// know that before building, so a COPY --from a re-run stage counts as re-run (an upper bound).
//
// Levels: "high" when an ordinary source edit re-runs the step (a whole-context, source-folder or source-file
// COPY/ADD at or above it); "medium" when only a dependency-manifest change, another copied file, a build
// arg, a remote URL or a base-image update does; "low" otherwise.

import { readAlike } from './dockerfile';
import { isManifestName } from './ecosystems';
import { keep, sameRisk } from './reuse';
import type { AnalysisFacts, BuildContextFacts, CacheRisk, CacheRiskLevel, DockerfileModel, GitChurn, RebuildCost, Stage, Step } from './model';
import {
  classifyPath, contextSources, isSourceKind, mountsOf, normalizeContextPath, sourceMatches, type ContextSource,
} from './sources';

export interface CacheAssessment {
  /** By step index. */
  risks: CacheRisk[];
  rebuild: RebuildCost;
}

/** One reason a step (and everything after it) re-runs. */
interface Cause {
  level: Exclude<CacheRiskLevel, 'low'>;
  line: number;
  reason: string;
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
  remoteUrls: Object.freeze([]) as unknown as string[], buildArgs: Object.freeze([]) as unknown as StepInputs['buildArgs'],
  floatingBase: null, cacheMounts: Object.freeze([]) as unknown as string[], bindMounts: Object.freeze([]) as unknown as StepInputs['bindMounts'],
});

/**
 * `previous`: the document's previous version, its model and the risks found for it. Its risks are kept where the new
 * ones are equal, and taken as they are for the unchanged prefix of the file: a step's risk depends only on itself,
 * the steps above it and the context and git facts, so while those are the previous version's objects so is the risk.
 */
export function assessCache(
  model: DockerfileModel, facts: AnalysisFacts, previous?: { model: DockerfileModel; steps: readonly { cacheRisk: CacheRisk }[] },
): CacheAssessment {
  const inputs = stepInputs(model, facts.context);
  assessedWith.set(model, { context: facts.context, git: facts.git });
  const prior = previous?.steps;
  const unchanged = previous ? unchangedPrefix(model, facts, previous.model) : 0;
  // every step of a stage is set below; the rest (ARGs before the first FROM) stay low
  const risks: CacheRisk[] = new Array<CacheRisk>(model.steps.length);
  const stageEnd: Cause[][] = [];
  for (const stage of model.stages) {
    const carried = new Carried(stage.baseStage !== null ? (stageEnd[stage.baseStage] ?? []).map((c) => viaStage(c, model.stages[stage.baseStage as number])) : []);
    let before: CacheRisk | null = null;
    // indexed loops: this runs for every step on every keystroke, and for-of allocates an iterator each time
    for (let k = 0; k < stage.steps.length; k++) {
      const i = stage.steps[k];
      const step = model.steps[i];
      const own = ownCauses(model, step, inputs[i], facts, stageEnd);
      for (let c = 0; c < own.length; c++) carried.add(own[c]);
      // a step with no inputs of its own carries exactly the risk of the step before it
      risks[i] = i < unchanged ? (prior as readonly { cacheRisk: CacheRisk }[])[i].cacheRisk
        : own.length === 0 && before ? before : keep(toRisk(carried, own), prior?.[i]?.cacheRisk, sameRisk);
      before = risks[i];
    }
    stageEnd[stage.index] = carried.list;
  }
  for (let i = 0; i < risks.length; i++) risks[i] ??= keep<CacheRisk>({ level: 'low', reasons: [] }, prior?.[i]?.cacheRisk, sameRisk);
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
  for (const stage of model.stages) {
    const pending = new Map<string, number>(); // ARG name -> line, until first use
    for (let k = 0; k < stage.steps.length; k++) {
      const i = stage.steps[k];
      const step = model.steps[i];
      if (step.keyword === 'FROM') {
        if (isFloating(stage, model)) writable(out, i).floatingBase = stage.from;
        // global ARGs named in FROM are consumed here
        for (const name of referencedVars(step.args)) {
          if (model.globalArgs.has(name)) writable(out, i).buildArgs.push({ name, declaredAt: globalArgLine(model, name) });
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
        const named = new Set([...referencedVars(step.args), ...referencedVars(step.command)]);
        for (const [name, line] of [...pending]) {
          if (step.keyword === 'RUN' || named.has(name)) {
            writable(out, i).buildArgs.push({ name, declaredAt: line });
            pending.delete(name);
          }
        }
      }
      if (step.keyword === 'ARG') {
        for (const w of step.words) {
          const name = w.split('=')[0];
          if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) pending.set(name, step.line);
        }
      }
    }
  }
  return out;
}

/** The step's own record, allocated on its first input (most steps have none and share NO_INPUTS). */
function writable(out: StepInputs[], i: number): StepInputs {
  if (out[i] === NO_INPUTS) out[i] = { remoteUrls: [], buildArgs: [], floatingBase: null, cacheMounts: [], bindMounts: [] };
  return out[i];
}

const NO_CAUSES: Cause[] = [];

function ownCauses(model: DockerfileModel, step: Step, inp: StepInputs, facts: AnalysisFacts, stageEnd: Cause[][]): Cause[] {
  // most steps (RUN without mounts, ENV, ...) have no inputs of their own
  if (inp === NO_INPUTS && step.keyword !== 'COPY' && step.keyword !== 'ADD') return NO_CAUSES;
  const causes: Cause[] = [];
  if (inp.floatingBase !== null) {
    const ref = inp.floatingBase;
    const tag = /:([^/@]+)$/.exec(ref)?.[1];
    causes.push({
      level: 'medium', line: step.line,
      reason: `re-runs when the base image ${ref} is updated: ${tag ? `the tag "${tag}" floats` : 'no tag means "latest", which floats'} (FROM at line ${step.line})`,
    });
  }
  for (const a of inp.buildArgs) {
    causes.push({ level: 'medium', line: a.declaredAt, reason: `re-runs when the build arg ${a.name} changes (ARG at line ${a.declaredAt}, first used at line ${step.line})` });
  }
  for (const url of inp.remoteUrls) {
    causes.push({ level: 'medium', line: step.line, reason: `re-runs when ${url} changes: ADD at line ${step.line} checks the URL on every build` });
  }
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    causes.push(...copyCauses(step, facts));
    if (step.copyFrom?.stage !== null && step.copyFrom?.stage !== undefined) {
      const from = model.stages[step.copyFrom.stage];
      causes.push(...(stageEnd[from.index] ?? []).map((c) => viaStage(c, from, step.line)));
    }
  }
  for (const m of inp.bindMounts) {
    if (m.from === null) {
      const s = classifyPath(m.source, facts.context);
      causes.push(...sourceCauses([s], step, `the bind mount of ${m.source === '.' || m.source === '' ? 'the context' : m.source}`, facts));
    } else {
      const idx = model.stages.findIndex((st) => st.name === m.from!.toLowerCase() || String(st.index) === m.from);
      if (idx >= 0 && idx < step.stage) causes.push(...(stageEnd[idx] ?? []).map((c) => viaStage(c, model.stages[idx], step.line)));
    }
  }
  return causes;
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

const copyCausesMemo = new WeakMap<Step, { context: AnalysisFacts['context']; git: AnalysisFacts['git']; causes: Cause[] }>();

function sourceCauses(sources: ContextSource[], step: Step, what: string, facts: AnalysisFacts): Cause[] {
  const out: Cause[] = [];
  const at = `${what} at line ${step.line}`;
  const high = sources.filter((s) => isSourceKind(s.kind));
  const medium = sources.filter((s) => s.kind === 'manifest' || s.kind === 'file');
  if (high.length) {
    const whole = high.find((s) => s.kind === 'context');
    const subject = whole
      ? 'any file in the context changes'
      : high.length === 1 && high[0].kind === 'folder' ? `a file under ${high[0].path}/ changes`
        : `${listNames(high.map((s) => s.raw))} change${high.length === 1 && !/[*?]/.test(high[0].raw) ? 's' : ''}`;
    out.push({ level: 'high', line: step.line, reason: `re-runs whenever ${subject}, because of ${at}${churnNote(high, facts)}` });
  }
  if (medium.length) {
    const kind = medium.every((s) => s.kind === 'manifest') ? 'dependency manifests ' : '';
    out.push({ level: 'medium', line: step.line, reason: `re-runs when the ${kind}${listNames(medium.map((s) => s.raw))} change${medium.length === 1 && !/[*?]/.test(medium[0].raw) ? 's' : ''} (${at})${churnNote(medium, facts)}` });
  }
  return out;
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  return shown.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
}

/** "; sources changed in 31 of the last 50 commits" from git history, when we have it. */
function churnNote(sources: ContextSource[], facts: AnalysisFacts): string {
  const n = churnOf(sources, facts.git, facts);
  if (n === null) return '';
  return `; these files changed in ${n} of the last ${facts.git!.commits} commits`;
}

/** In how many of the recent commits any file these sources bring in changed; null without history. */
export function churnOf(sources: ContextSource[], git: GitChurn | undefined, facts: AnalysisFacts): number | null {
  if (!git || git.commits === 0) return null;
  const inContext = facts.context && !facts.context.truncated ? new Set(facts.context.files.map((f) => f.path)) : null;
  const matches = (p: string) => (!inContext || inContext.has(p)) && sources.some((s) => sourceMatches(s.path, p));
  if (git.commitPaths) return git.commitPaths.filter((paths) => paths.some(matches)).length;
  // without per-commit lists, the busiest matching file is a lower bound
  let best = 0;
  for (const [p, n] of git.changes) if (matches(p)) best = Math.max(best, n);
  return best;
}

function viaStage(c: Cause, from: Stage, line?: number): Cause {
  const label = from.name ?? String(from.index);
  if (c.reason.includes(`(through stage ${label})`)) return c;
  return { ...c, line: line ?? c.line, reason: `${c.reason} (through stage ${label})` };
}

/**
 * The causes carried down a stage, in the order they appeared, without duplicate reasons. Kept incrementally with
 * per-level indexes so that each step's risk costs O(own causes), not O(everything above it): a 5,000-line file has
 * thousands of causes.
 */
class Carried {
  readonly list: Cause[] = [];
  /** Reason -> position in list. */
  readonly position = new Map<string, number>();
  /** Positions of the high and medium causes, ascending. */
  readonly high: number[] = [];
  readonly medium: number[] = [];

  constructor(initial: Cause[]) {
    for (const c of initial) this.add(c);
  }

  add(c: Cause): void {
    if (this.position.has(c.reason)) return;
    this.position.set(c.reason, this.list.length);
    (c.level === 'high' ? this.high : this.medium).push(this.list.length);
    this.list.push(c);
  }
}

/** The step's risk: high causes before medium ones, and within each, the step's own inputs first. */
function toRisk(carried: Carried, own: Cause[]): CacheRisk {
  const total = carried.high.length + carried.medium.length;
  if (total === 0) return { level: 'low', reasons: [] };
  const mine = new Set<number>();
  for (const c of own) {
    const at = carried.position.get(c.reason);
    if (at !== undefined) mine.add(at);
  }
  // the first causes in order: own high, other high, own medium, other medium (each in the order they appeared)
  const ordered: number[] = [];
  const want = MAX_REASONS + 1;
  for (const level of [carried.high, carried.medium]) {
    for (const at of [...mine].filter((m) => carried.list[m].level === (level === carried.high ? 'high' : 'medium')).sort((a, b) => a - b)) {
      if (ordered.length < want) ordered.push(at);
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

/** A base reference whose tag moves: no tag, latest, lts, stable, edge, or a tag without any digit. */
function isFloating(stage: Stage, model: DockerfileModel): boolean {
  void model;
  if (stage.baseStage !== null) return false;
  return isFloatingReference(stage.from);
}

export function isFloatingReference(ref: string): boolean {
  const r = ref.trim();
  if (r === '' || r.toLowerCase() === 'scratch' || r.includes('@') || r.includes('$')) return false;
  const tag = tagOf(r);
  return tag === null || !/[0-9]/.test(tag);
}

/** The tag of an image reference (`node:20-alpine` -> `20-alpine`), null when it has none. */
export function tagOf(ref: string): string | null {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : null;
}

function referencedVars(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('$')) return out;
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2]);
  return out;
}

function globalArgLine(model: DockerfileModel, name: string): number {
  const s = model.steps.find((st) => st.stage < 0 && st.keyword === 'ARG' && st.words.some((w) => w.split('=')[0] === name));
  return s?.line ?? 1;
}

/** Stages the build of the target actually runs: the target and what it depends on, transitively. */
export function builtStages(model: DockerfileModel): Set<number> {
  const out = new Set<number>();
  const visit = (i: number) => {
    if (i < 0 || out.has(i) || !model.stages[i]) return;
    out.add(i);
    for (const d of model.stages[i].dependsOn) visit(d);
  };
  visit(model.target);
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
      if (ms.every((m) => m?.durationMs !== undefined)) cost.durationMs = ms.reduce((t, m) => t + (m?.durationMs ?? 0), 0);
    }
  }
  return cost;
}

/** Re-exported for rules that ask "is this a manifest-only copy?" without the context. */
export { isManifestName, normalizeContextPath };

/**
 * The steps (by index) that re-run when one context file changes (`path`, relative to the context root):
 * the COPY/ADD or bind-mounting RUN that brings it in, every later step of that stage, the stages built FROM
 * it and the steps that COPY --from (or mount from) it. A file .dockerignore excludes (absent from a known
 * context listing) re-runs nothing.
 */
export function stepsAffectedBy(model: DockerfileModel, facts: AnalysisFacts, path: string): Set<number> {
  const file = normalizeContextPath(path);
  const out = new Set<number>();
  const context = facts.context && !facts.context.truncated && facts.context.files.length > 0 ? facts.context : undefined;
  if (context && !context.files.some((f) => f.path === file)) return out;
  const dirtyAtEnd: boolean[] = [];
  const dirtyStage = (ref: number | null | undefined) => ref !== null && ref !== undefined && dirtyAtEnd[ref] === true;
  for (const stage of model.stages) {
    let dirty = dirtyStage(stage.baseStage);
    for (const i of stage.steps) {
      const step = model.steps[i];
      if (!dirty) {
        const brings = contextSources(step).some((s) => s.kind !== 'remote' && sourceMatches(s.path, file));
        const fromDirty = dirtyStage(step.copyFrom?.stage);
        const mounts = step.keyword === 'RUN' && mountsOf(step).some((m) => m.type === 'bind' && (m.from === null
          ? sourceMatches(normalizeContextPath(m.source ?? '.'), file)
          : dirtyStage(model.stages.findIndex((st) => st.name === m.from!.toLowerCase() || String(st.index) === m.from))));
        dirty = brings || fromDirty || mounts;
      }
      if (dirty) out.add(i);
    }
    dirtyAtEnd[stage.index] = dirty;
  }
  return out;
}
