// Reading an edited document with its previous version at hand: the instructions above the first changed line are not
// scanned again (the previous version's steps are what the scan would find there), and the steps that come out equal
// to the previous version's are those same objects, most taken without being interpreted again. A model read so is
// equal to one read afresh (test/unit/reuse.test.ts replays random edits to check it).

import type { AnalysisOptions, DockerfileModel, Step } from '../model';
import { keep, sameHeredocs, sameStep } from '../reuse';
import { MAX_EXPANSION, MAX_EXPANSION_PER_INSTRUCTION, type ExpansionBudget } from '../variables';
import type { Interpreter } from './interpret';
import { KEYWORDS, type RawInstruction } from './scanner';

/** Text that variable substitutions may add over a whole file (see variables.ts). */
const MAX_EXPANSION_PER_FILE = 4 * 1024 * 1024;

/**
 * How each model was read: the options and escape character (its steps carry over only to a model read the same
 * way), and whether every instruction became a step (else step indexes do not follow the instructions).
 */
const parsedWith = new WeakMap<DockerfileModel, { key: string; complete: boolean }>();

/**
 * What a step's expansions took from the file's budget, and whether one was cut: a step carried over to a later
 * version (not read again) takes the same share, so a document reads the same with or without its previous version.
 */
const expansionCost = new WeakMap<Step, { used: number; truncated: boolean }>();

/** Instructions whose step depends on the variables, WORKDIR and stages in force but changes none of them. */
const REPLAYABLE = new Set([...KEYWORDS].filter((k) => k !== 'FROM' && k !== 'ARG' && k !== 'ENV' && k !== 'WORKDIR'));

/** What a model is read with, as a key: its steps carry over only to a model read with the same one. */
export function parseOptionsKey(options: AnalysisOptions, esc: string): string {
  return JSON.stringify([esc, options.buildkit ?? true, options.buildArgs ?? null]);
}

/** Records how a model was read (see parsedWith). */
export function noteParsed(model: DockerfileModel, key: string, complete: boolean): void {
  parsedWith.set(model, { key, complete });
}

/**
 * Whether two models were read with the same escape character and options (build args, BuildKit): then equal steps
 * mean equal stages too (a stage's base image is expanded with the build args).
 */
export function readAlike(a: DockerfileModel, b: DockerfileModel): boolean {
  const key = parsedWith.get(a)?.key;
  return key !== undefined && key === parsedWith.get(b)?.key;
}

/**
 * The previous version's steps if they may be taken over (`before`: a previous model read the same way, whose every
 * instruction became a step), and how many of them need not be scanned again (`carried`): those that end before the
 * first changed line, with an unchanged line after them, so that no continuation or heredoc can run on into the edit.
 * `scanFrom`: the 0-based line after them, where the scan starts.
 */
export function carriedSteps(
  previous: DockerfileModel | undefined,
  key: string,
  lines: readonly string[],
  eol: string,
): { before: readonly Step[] | undefined; carried: number; scanFrom: number } {
  const earlier = previous !== undefined ? parsedWith.get(previous) : undefined;
  if (previous === undefined || earlier?.key !== key || !earlier.complete || previous.eol !== eol)
    return { before: undefined, carried: 0, scanFrom: 0 };
  const before = previous.steps;
  const unchanged = unchangedLines(lines, previous.lines);
  let carried = 0;
  while (carried < before.length && before[carried].endLine < unchanged) carried++;
  return { before, carried, scanFrom: carried > 0 ? before[carried - 1].endLine : 0 };
}

/** How many leading lines the two versions share. */
function unchangedLines(lines: readonly string[], before: readonly string[]): number {
  const n = Math.min(lines.length, before.length);
  let k = 0;
  while (k < n && lines[k] === before[k]) k++;
  return k;
}

/**
 * The raw instruction a step was read from (a step keeps its keyword, lines, column, joined arguments and heredocs).
 */
function asRaw(step: Step): RawInstruction {
  return {
    keyword: step.keyword,
    start: step.line - 1,
    end: step.endLine - 1,
    column: step.column - 1,
    args: step.args,
    heredocs: step.heredocs,
  };
}

/** Whether a previous step was made from exactly this raw instruction (text, lines, column, heredocs). */
function sameRaw(step: Step, ins: RawInstruction): boolean {
  return (
    step.keyword === ins.keyword &&
    step.line === ins.start + 1 &&
    step.endLine === ins.end + 1 &&
    step.column === ins.column + 1 &&
    step.args === ins.args &&
    sameHeredocs(step.heredocs, ins.heredocs)
  );
}

/**
 * Turns the instructions, in order, into the model's steps with an Interpreter, taking the previous version's steps
 * where they are the same, and keeps the file's expansion budget.
 *
 * The unchanged prefix: while every instruction so far came out as the previous version's step (same object), the
 * variables, WORKDIR and stages in force are the previous version's too, so an instruction whose raw text and place
 * are unchanged is that same step. Those that only read that state (RUN, COPY, CMD...) are taken without being read
 * again: on a long file an edit near the end re-reads a few lines, not all of them. Those that change it (FROM, ARG,
 * ENV, WORKDIR) are always read, so the state stays complete for the steps after the edit.
 */
export class StepReader {
  readonly steps: Step[] = [];
  /** Whether every instruction was interpreted (none became an uninterpreted step). */
  complete = true;
  private intact: boolean;
  /** What variable substitutions may still add to the model (see variables.ts). */
  private fileBudget = MAX_EXPANSION_PER_FILE;
  /** The WORKDIR string last detached, and its copy (steps share the WORKDIR in force). */
  private detachedWorkdir: [string, string] | null = null;

  /**
   * `previous`: the model of the document's previous version, whose Step objects are kept where the new ones equal
   * them; `before`: its steps if they were read the same way (see carriedSteps), else undefined.
   */
  constructor(
    private readonly interpreter: Interpreter,
    private readonly problems: string[],
    private readonly previous: DockerfileModel | undefined,
    private readonly before: readonly Step[] | undefined,
  ) {
    this.intact = before !== undefined;
  }

  /** Takes the first `carried` steps of the previous version (see carriedSteps) as the instructions they came from. */
  takeCarried(carried: number): void {
    const before = this.before;
    if (before !== undefined) for (let k = 0; k < carried; k++) this.take(asRaw(before[k]));
  }

  /** Takes the next instruction. */
  take(ins: RawInstruction): void {
    const index = this.steps.length;
    const prior = this.before?.[index];
    if (this.intact && prior !== undefined && this.replayable(prior, ins)) {
      this.interpreter.replay(prior);
      const cost = expansionCost.get(prior);
      if (cost) {
        this.fileBudget -= cost.used;
        this.noteCost(prior, cost);
      }
      this.steps.push(prior);
      return;
    }
    const budget = { left: Math.min(MAX_EXPANSION_PER_INSTRUCTION, this.fileBudget), truncated: false };
    const budgetBefore = budget.left;
    const same = this.previous?.steps[index];
    const step = keep(this.read(ins, index, budget), same, sameStep);
    if (step !== same) {
      this.intact = false;
      if (this.previous !== undefined) this.detach(step);
    }
    const used = budgetBefore - budget.left;
    this.fileBudget -= used;
    if (used > 0 || budget.truncated) {
      const cost = { used, truncated: budget.truncated };
      expansionCost.set(step, cost);
      this.noteCost(step, cost);
    }
    this.steps.push(step);
  }

  /** Whether the previous version's step for this instruction is the step it makes now (the state being intact). */
  private replayable(prior: Step, ins: RawInstruction): boolean {
    return (
      this.interpreter.stages.length > 0 &&
      REPLAYABLE.has(ins.keyword) &&
      sameRaw(prior, ins) &&
      !(prior.keyword === 'RUN' && prior.copyFrom !== undefined)
    );
  }

  private read(ins: RawInstruction, index: number, budget: ExpansionBudget): Step {
    try {
      return this.interpreter.interpret(ins, index, budget);
    } catch (e) {
      // interpret is total by design; should it fail, the instruction still becomes a step (uninterpreted), so that
      // step indexes follow the instructions and every stage lists exactly its steps
      this.problems.push(`line ${ins.start + 1}: could not read ${ins.keyword} (${(e as Error).message})`);
      this.intact = false;
      this.complete = false;
      return this.interpreter.uninterpreted(ins, index);
    }
  }

  /** Gives a new step strings of its own, sharing one copy of the WORKDIR in force (it may be long). */
  private detach(step: Step): void {
    const wd = step.workdir;
    detachStrings(step);
    if (this.detachedWorkdir !== null && this.detachedWorkdir[0] === wd) step.workdir = this.detachedWorkdir[1];
    else this.detachedWorkdir = [wd, step.workdir];
  }

  /** Says where variable expansion was cut short (a replayed step says it again: its cost is kept per step). */
  private noteCost(step: Step, cost: { truncated: boolean }): void {
    if (cost.truncated) {
      this.problems.push(
        `line ${step.line}: variable expansion truncated (a value is cut at ${MAX_EXPANSION / 1024} KB, an instruction's ` +
          `substitutions at ${MAX_EXPANSION_PER_INSTRUCTION / 1024} KB, the file's at ${MAX_EXPANSION_PER_FILE / 1024 / 1024} MB)`,
      );
    }
  }
}

/**
 * A copy of `s` that does not hold on to the string it was cut from. V8 makes a substring of 13 characters or more a
 * view into its parent, so a step's arguments would keep alive the whole text of the version they were read in: a
 * step that outlives its version (an edit elsewhere keeps it) would hold one more copy of the file per edited line.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Gives a new step of an edited document strings of its own (see detach). Only steps made after the first version
 * need it: the first version's text is the document's anyway, while it lasts.
 */
function detachStrings(step: Step): void {
  step.args = detach(step.args);
  step.command = detach(step.command);
  step.words = step.words.map(detach);
  if (step.flags.length)
    step.flags = step.flags.map((f) => (f.value === null ? f : { name: f.name, value: detach(f.value) }));
  if (step.heredocs.length)
    step.heredocs = step.heredocs.map((h) => ({ ...h, name: detach(h.name), body: detach(h.body) }));
  if (step.sources) step.sources = step.sources.map(detach);
  if (step.destination !== undefined) step.destination = detach(step.destination);
  if (step.copyFrom)
    step.copyFrom = {
      ...step.copyFrom,
      raw: detach(step.copyFrom.raw),
      image: step.copyFrom.image === null ? null : detach(step.copyFrom.image),
    };
  step.workdir = detach(step.workdir);
  if (step.vars) step.vars = new Map([...step.vars].map(([k, v]) => [detach(k), v === null ? null : detach(v)]));
}
