// The one entry point of the analysis: text (+ optional facts) in, Analysis out. Pure and total: any text
// yields a result. Every phase (reading, estimates, cache, each rule, ignore comments) is guarded: should one fail,
// its result is left out (sizes null with a note, cache risks low, no findings of that rule) and the model's problems
// say so; analyze() itself never throws.

import { assessCache, type CacheAssessment } from './cache';
import { nextBuild } from './forecast';
import { parseDockerfile } from './parse';
import { estimateSteps, type StepEstimate } from './estimate';
import type { ImageFacts } from './image/facts';
import { mapImage, type MappedImage } from './image/map';
import type {
  Analysis,
  AnalysisFacts,
  AnalysisOptions,
  CacheRisk,
  DockerfileModel,
  Finding,
  Fix,
  LayerSize,
  MeasuredImage,
  MeasuredStep,
  Severity,
} from './model';
import { severityRank } from './model';
import { RULES } from './rules';
import { stepAtLine } from './steps';
import type { RuleContext } from './rules/rule';

/**
 * `previous`: the analysis of the same document's previous version, if any. The result is the same with or without
 * it; with it, the objects that came out equal are the previous ones (see reuse.ts).
 */
export function analyze(
  text: string,
  given: AnalysisFacts = {},
  options: AnalysisOptions = {},
  previous?: Analysis,
): Analysis {
  const model = guarded(
    () => parseDockerfile(text, options, previous?.model),
    (e) => unreadModel(text, e),
  );
  const mapped = mappedImage(given.image, model);
  const facts: AnalysisFacts = mapped ? { ...given, measured: mapped.measured } : given;
  const estimates = guarded(
    () => estimateSteps(model, facts, previous?.steps),
    (e) => {
      model.problems.push(`size estimates failed: ${messageOf(e)}`);
      return model.steps.map((): StepEstimate => ESTIMATE_FAILED);
    },
  );
  const estimated = estimates.map((e) => e.size);
  const sizes = guarded(
    () => withMeasured(estimated, facts.measured),
    () => estimated,
  );
  const cache = guarded(
    () => assessCache(model, facts, previous && { model: previous.model, steps: previous.steps }),
    (e): CacheAssessment => {
      model.problems.push(`cache risks could not be assessed: ${messageOf(e)}`);
      return { risks: model.steps.map((): CacheRisk => ({ level: 'low', reasons: [] })), rebuild: { lines: [] } };
    },
  );
  const ctx: RuleContext = { model, facts, options, sizes, risks: cache.risks };
  const findings = runRules(ctx);
  const image = guarded(
    () => imageSize(model, sizes, facts.measured),
    (e) => {
      model.problems.push(`the image size could not be added up: ${messageOf(e)}`);
      return null;
    },
  );
  const next = guarded(
    () => nextBuild(model, facts, (i) => sizes[i] ?? null),
    (e) => {
      model.problems.push(`the next build could not be forecast: ${messageOf(e)}`);
      return null;
    },
  );
  const measuredByStep = new Map<number, MeasuredStep>();
  for (const m of facts.measured?.steps ?? []) measuredByStep.set(m.stepIndex, m);
  const steps = model.steps.map((step, i) => {
    const measured = measuredByStep.get(i);
    const note = sizes[i] === null ? estimates[i].note : undefined;
    const before = previous?.steps[i];
    if (
      before &&
      before.step === step &&
      before.size === sizes[i] &&
      before.sizeNote === note &&
      before.cacheRisk === cache.risks[i] &&
      before.measured === measured &&
      !next
    )
      return before;
    const forecast = next?.steps.get(i);
    const lastBuild = next?.last.get(i);
    return {
      step,
      size: sizes[i],
      ...(note ? { sizeNote: note } : {}),
      cacheRisk: cache.risks[i],
      ...(measured ? { measured } : {}),
      ...(forecast ? { forecast } : {}),
      ...(lastBuild ? { lastBuild } : {}),
    };
  });
  const result: Analysis = { model, steps, findings, image, rebuild: cache.rebuild };
  if (next) result.forecast = next.forecast;
  if (mapped) result.mapped = mapped;
  return result;
}

/** The gathered image, mapped to the model just parsed: its measured sizes are a fact like the others from then on. */
function mappedImage(image: ImageFacts | undefined, model: DockerfileModel): MappedImage | undefined {
  if (!image) return undefined;
  return guarded(
    () => mapImage(image, model),
    (e) => {
      model.problems.push(`the image could not be mapped to the Dockerfile: ${messageOf(e)}`);
      return undefined;
    },
  );
}

/** `run()`, or what `failed` makes of its error (the phase's result left out). */
function guarded<T>(run: () => T, failed: (e: unknown) => T): T {
  try {
    return run();
  } catch (e) {
    return failed(e);
  }
}

/** A short, single-line message for an error of any kind (a stack overflow, a thrown string...). */
function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return `internal error (${m.replace(/\s+/g, ' ').slice(0, 200)})`;
}

/** What a step's size says when the estimates failed as a whole. */
const ESTIMATE_FAILED: StepEstimate = Object.freeze({ size: null, note: 'estimate failed: internal error' });

/** The model of a text that could not be read: no steps, and a problem saying so. */
function unreadModel(text: string, e: unknown): DockerfileModel {
  return {
    text,
    lines: text.split('\n'),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    directives: { syntax: null, escape: '\\', check: null },
    globalArgs: new Map(),
    stages: [],
    steps: [],
    target: -1,
    ignores: [],
    problems: [`the file could not be read: ${messageOf(e)}`],
  };
}

function withMeasured(sizes: (LayerSize | null)[], measured: MeasuredImage | undefined): (LayerSize | null)[] {
  if (!measured) return sizes;
  const out = sizes.slice();
  for (const m of measured.steps) {
    if (m.stepIndex < 0 || m.stepIndex >= out.length) continue;
    out[m.stepIndex] = { bytes: m.bytes, source: 'measured', basis: `measured from ${measured.image} (${m.sizeKind})` };
  }
  return out;
}

function imageSize(
  model: DockerfileModel,
  sizes: (LayerSize | null)[],
  measured: MeasuredImage | undefined,
): Analysis['image'] {
  if (measured && !measured.mismatch)
    return { bytes: measured.bytes, source: 'measured', complete: true, sizeKind: measured.sizeKind };
  let bytes = 0;
  let any = false;
  let allMeasured = true;
  let unknownBase: string | undefined;
  const missing: number[] = [];
  const partial: number[] = [];
  for (const stage of model.stages) {
    if (!stage.reachesFinal) continue;
    for (const i of stage.steps) {
      const s = sizes[i];
      const step = model.steps[i];
      const isBase = step.keyword === 'FROM' && stage.baseStage === null;
      if (!s && isBase) unknownBase ??= stage.from;
      else if (!s && step.createsLayer) missing.push(step.line);
      if (!s) continue;
      bytes += s.bytes;
      any = true;
      if (s.lowerBound) partial.push(step.line);
      if (s.source !== 'measured') allMeasured = false;
    }
  }
  if (!any) return null;
  const notes: string[] = [];
  if (unknownBase !== undefined) notes.push(`base ${unknownBase} unknown`);
  if (missing.length) notes.push(`no size for ${linesText(missing)}`);
  if (partial.length)
    notes.push(`${linesText(partial)} ${partial.length > 1 ? 'are lower bounds' : 'is a lower bound'}`);
  const complete = notes.length === 0;
  return {
    bytes,
    source: allMeasured ? 'measured' : 'estimate',
    complete,
    ...(unknownBase !== undefined ? { unknownBase } : {}),
    ...(complete ? {} : { note: notes.join('; ') }),
  };
}

/** "line 4" / "lines 4, 9": the first lines and a count of the others (a long file may lack thousands of sizes). */
function linesText(lines: number[]): string {
  const listed =
    lines.length > MAX_LISTED_LINES
      ? `${lines.slice(0, MAX_LISTED_LINES).join(', ')} and ${lines.length - MAX_LISTED_LINES} more`
      : lines.join(', ');
  return `line${lines.length > 1 ? 's' : ''} ${listed}`;
}

const MAX_LISTED_LINES = 50;

function runRules(ctx: RuleContext): Finding[] {
  const { model, options } = ctx;
  const disabled = new Set(options.disabledRules ?? []);
  const findings: Finding[] = [];
  for (const rule of RULES) {
    if (disabled.has(rule.id) || (rule.hadolint && disabled.has(rule.hadolint))) continue;
    const override = options.severities?.[rule.id] ?? (rule.hadolint ? options.severities?.[rule.hadolint] : undefined);
    if (override === 'off') continue;
    let produced: ReturnType<typeof rule.check>;
    try {
      produced = rule.check(ctx);
    } catch (e) {
      // a rule bug must never take the analysis down; say so where a developer will see it
      model.problems.push(`rule ${rule.id} failed: ${messageOf(e)}`);
      continue;
    }
    const severity = override ?? rule.severity;
    const hadolint = rule.hadolint ? { hadolint: rule.hadolint } : {};
    for (const f of produced) {
      if (typeof f.fixes === 'function') {
        // a per-step rule returned the same object as in an earlier version (only a step kept from it gets the same
        // object back): the finding is the same
        const before = LazyFinding.madeFrom(f);
        if (before && before.severity === severity && before.rule === rule.id) {
          findings.push(before.moveTo(model));
          continue;
        }
      }
      const { fixes, ...rest } = f;
      if (typeof fixes === 'function') {
        findings.push(new LazyFinding({ rule: rule.id, severity, ...hadolint, ...rest }, fixes, model, f));
      } else {
        findings.push({ rule: rule.id, severity, ...hadolint, ...rest, fixes });
      }
    }
  }
  const kept = guarded(
    () => withoutIgnored(model, findings),
    (e) => {
      model.problems.push(`ignore comments could not be applied: ${messageOf(e)}`);
      return findings;
    },
  );
  return kept.sort(
    (a, b) =>
      a.line - b.line ||
      severityRank(a.severity) - severityRank(b.severity) ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/**
 * A finding whose fixes are built on first read and kept. A class with one getter on its prototype, so that thousands
 * of findings share one shape; a fix that fails to build is left out and noted in the model's problems.
 */
class LazyFinding implements Finding {
  declare rule: string;
  declare severity: Severity;
  declare line: number;
  declare endLine: number;
  declare column?: number;
  declare endColumn?: number;
  declare message: string;
  declare hadolint?: string;
  #built: Fix[] | undefined;
  readonly #make: (model: DockerfileModel) => Fix[];
  #model: DockerfileModel;
  readonly #source: object;

  /** What the rule returned for this finding: the same object in every version where a per-step rule kept it. */
  static sourceOf(f: Finding): object | undefined {
    return #source in f ? f.#source : undefined;
  }

  /**
   * The finding last made from what a rule returned, for reuse (see moveTo). What a per-step rule returns is kept per
   * Step object, and a document's steps are its own, so a hit is a finding of an earlier version of the same document.
   */
  static madeFrom(source: object): LazyFinding | undefined {
    return madeFrom.get(source);
  }

  /**
   * The same finding in a new version of the document: its rule returned the same object, so every field is the
   * same; its fixes are built again from the new model when asked (they may read other steps), so the old model is
   * not kept alive. Keeping the wrapper spares thousands of new objects per keystroke on a long file.
   */
  moveTo(model: DockerfileModel): this {
    if (this.#model !== model) {
      this.#model = model;
      this.#built = undefined;
    }
    return this;
  }

  constructor(
    fields: Omit<Finding, 'fixes'>,
    make: (model: DockerfileModel) => Fix[],
    model: DockerfileModel,
    source: object,
  ) {
    Object.assign(this, fields);
    this.#make = make;
    this.#model = model;
    this.#source = source;
    madeFrom.set(source, this);
  }

  get fixes(): Fix[] {
    if (this.#built === undefined) {
      try {
        this.#built = this.#make(this.#model);
      } catch (e) {
        this.#model.problems.push(`rule ${this.rule} failed to build a fix: ${messageOf(e)}`);
        this.#built = [];
      }
    }
    return this.#built;
  }

  set fixes(value: Fix[]) {
    this.#built = value;
  }
}

const madeFrom = new WeakMap<object, LazyFinding>();

/**
 * A key that stays the same object for a finding an edit did not change (per-step rules keep their findings), for
 * caches of what is derived from it (the language server's diagnostics); undefined when there is none.
 */
export const findingKey = (f: Finding): object | undefined => LazyFinding.sourceOf(f);

/**
 * The findings that no `# hadolint ignore=DLxxxx` / `# layer-insight ignore=rule` silences: a global one, or one on
 * the line(s) between the finding's instruction and the one before it. The codes are gathered per step first, so
 * this is linear in findings plus pragmas (a file may have tens of thousands of both).
 */
function withoutIgnored(model: DockerfileModel, findings: Finding[]): Finding[] {
  if (model.ignores.length === 0) return findings;
  const global = new Set<string>();
  const byStep = new Map<number, Set<string>>();
  // pragmas and steps are both in line order: walk them together
  let s = 0;
  for (const p of model.ignores) {
    if (p.global) {
      for (const c of p.codes) global.add(c);
      continue;
    }
    while (s < model.steps.length && model.steps[s].line <= p.line) s++;
    if (s >= model.steps.length) continue; // after the last instruction: silences nothing
    // a pragma inside an instruction was never listed; one above the next step's line applies to it
    let set = byStep.get(s);
    if (!set) byStep.set(s, (set = new Set()));
    for (const c of p.codes) set.add(c);
  }
  const silenced = (codes: Set<string> | undefined, f: Finding) =>
    codes !== undefined && (codes.has(f.rule) || (f.hadolint !== undefined && codes.has(f.hadolint)));
  return findings.filter((f) => {
    if (silenced(global, f)) return false;
    const step = stepAtLine(model, f.line);
    return !step || !silenced(byStep.get(step.index), f);
  });
}
