// Raw instruction + the state in force -> Step. An Interpreter reads the instructions of one file in order and keeps
// what they set: the global ARGs, the current stage's ARGs and ENV (each stage's ENV and WORKDIR at its end, for the
// stages built FROM it), the WORKDIR, and the stages with their steps and links (FROM stage, COPY --from,
// RUN --mount=from). Variables are expanded within the expansion budget it is given per instruction.

import * as posix from 'node:path/posix';
import type { AnalysisOptions, Heredoc, Stage, Step } from '../model';
import { withoutTrailing } from '../text';
import { expand, referencedVariables, type ExpansionBudget, type Scope } from '../variables';
import type { RawInstruction } from './scanner';
import { findStageOrIndex, lastNamed } from './stages';
import { parseExecForm, readAssignments, splitWords, takeFlags } from './words';

const FLAG_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** Variables visible to a step: ENV (inherited by `FROM stage`) wins over ARG (scoped to its stage). */
class StageScope implements Scope {
  constructor(
    readonly env: Map<string, string | null> = new Map(),
    readonly args: Map<string, string | null> = new Map(),
  ) {}
  get(name: string): string | null | undefined {
    return this.env.has(name) ? this.env.get(name) : this.args.get(name);
  }
  has(name: string): boolean {
    return this.env.has(name) || this.args.has(name);
  }
}

export class Interpreter {
  readonly globalArgs = new Map<string, string | null>();
  readonly stages: Stage[] = [];
  private scope = new StageScope();
  private workdir = '/';
  /** Each stage's ENV and WORKDIR when the next FROM ended it. */
  private readonly stageEnd: { env: Map<string, string | null>; workdir: string }[] = [];
  private readonly buildArgs: Map<string, string>;
  private readonly buildkit: boolean;
  /** Stages by name (lowercased), in order: a lookup costs O(1) however many stages there are. */
  private readonly byName = new Map<string, number[]>();
  /** dependsOn of a stage with many dependencies, as a set (the array stays the model's; most have one or two). */
  private readonly depSets = new Map<number, Set<number>>();
  /** What variable substitutions may still add to the step being read (see variables.ts). */
  private budget: ExpansionBudget = { left: 0, truncated: false };
  /** Global ARGs as FROM sees them: their defaults, replaced by --build-arg values. */
  private readonly globalView: Scope;

  /** `problems`: where the instructions that make no sense where they are (before the first FROM) are reported. */
  constructor(
    options: AnalysisOptions,
    private readonly esc: string,
    private readonly problems: string[],
  ) {
    this.buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
    this.buildkit = options.buildkit ?? true;
    const { globalArgs, buildArgs } = this;
    this.globalView = {
      get: (k) => (globalArgs.has(k) && buildArgs.has(k) ? buildArgs.get(k) : globalArgs.get(k)),
      has: (k) => globalArgs.has(k),
    };
  }

  /** The step for the next instruction, the `index`th of the file; its expansions take from `budget`. */
  interpret(ins: RawInstruction, index: number, budget: ExpansionBudget): Step {
    this.budget = budget;
    const step = this.newStep(ins, index);
    if (ins.keyword === 'FROM') {
      this.from(step);
      return step;
    }
    const stage = this.stages[this.stages.length - 1];
    if (stage === undefined) {
      if (ins.keyword === 'ARG') {
        const assignments = readAssignments(step.words, this.esc, this.globalView, true, budget);
        for (const [k, v] of assignments) this.globalArgs.set(k, v);
      } else {
        this.problems.push(`line ${step.line}: ${ins.keyword} before the first FROM`);
      }
      return step;
    }
    stage.steps.push(step.index);
    switch (ins.keyword) {
      case 'ARG':
        this.arg(step.words);
        break;
      case 'ENV':
        for (const [k, v] of readAssignments(step.words, this.esc, this.scope, false, budget))
          this.scope.env.set(k, v ?? '');
        break;
      case 'WORKDIR':
        this.setWorkdir(step);
        break;
      case 'RUN':
        this.run(step, stage);
        break;
      case 'COPY':
      case 'ADD':
        this.copy(step, stage);
        break;
      case 'ONBUILD':
        step.onbuildKeyword = (step.words[0] ?? '').toUpperCase();
        break;
      default:
        break;
    }
    return step;
  }

  /**
   * A step for an instruction interpret could not read: its text, no expansions. Also keeps the stages consistent
   * with it (a FROM that failed before making its stage makes an empty one; any other step joins the last stage).
   */
  uninterpreted(ins: RawInstruction, index: number): Step {
    const stages = this.stages;
    const last = stages.length - 1;
    const step: Step = {
      index,
      stage: last,
      keyword: ins.keyword,
      line: ins.start + 1,
      endLine: ins.end + 1,
      column: ins.column + 1,
      args: ins.args,
      flags: [],
      words: [],
      execForm: false,
      heredocs: ins.heredocs,
      command: ins.args,
      createsLayer: ins.keyword === 'RUN' || ins.keyword === 'COPY' || ins.keyword === 'ADD',
      workdir: this.workdir,
    };
    if (ins.keyword === 'FROM' && (last < 0 || stages[last].steps[0] !== index)) {
      stages.push({
        index: last + 1,
        name: null,
        from: '',
        fromRaw: '',
        baseStage: null,
        line: step.line,
        steps: [index],
        final: false,
        reachesFinal: false,
        dependsOn: [],
        platform: null,
      });
      step.stage = last + 1;
    } else if (last >= 0 && stages[last].steps[stages[last].steps.length - 1] !== index) {
      stages[last].steps.push(index);
    }
    return step;
  }

  /**
   * What interpret does to the stages for a step made by an earlier interpreter in the same state, for an
   * instruction that only reads the state (not FROM, ARG, ENV, WORKDIR): list it, and link its COPY --from.
   */
  replay(step: Step): void {
    const stage = this.stages[this.stages.length - 1];
    stage.steps.push(step.index);
    const from = step.copyFrom?.stage;
    if (from !== null && from !== undefined) this.dependOn(stage, from);
  }

  /** The step with its words and flags read, before the keyword's own work. */
  private newStep(ins: RawInstruction, index: number): Step {
    const keyword = ins.keyword;
    const { flags, rest } = FLAG_KEYWORDS.has(keyword) ? takeFlags(ins.args) : { flags: [], rest: ins.args };
    const exec = parseExecForm(rest);
    return {
      index,
      stage: this.stages.length - 1,
      keyword,
      line: ins.start + 1,
      endLine: ins.end + 1,
      column: ins.column + 1,
      args: ins.args,
      flags,
      words: exec ?? splitWords(rest, this.esc),
      execForm: exec !== null,
      heredocs: ins.heredocs,
      command: keyword === 'RUN' ? runCommand(rest, ins.heredocs) : ins.args,
      createsLayer: false,
      workdir: this.workdir,
    };
  }

  /** FROM: ends the current stage and starts the next (from an image, or from an earlier stage). */
  private from(step: Step): void {
    const { stages, esc, budget, globalView } = this;
    const { words, flags } = step;
    if (stages.length > 0) this.stageEnd[stages.length - 1] = { env: this.scope.env, workdir: this.workdir };
    const image = words[0] ?? '';
    const alias = words.length >= 3 && words[1].toUpperCase() === 'AS' ? words[2].toLowerCase() : null;
    const fromExpanded = expand(image, globalView, esc, budget);
    const baseStage = lastNamed(this.byName, fromExpanded.toLowerCase(), stages.length);
    const index = stages.length;
    const platformRaw = flags.find((f) => f.name === 'platform')?.value ?? null;
    const platform = platformRaw === null ? null : expand(platformRaw, globalView, esc, budget);
    stages.push({
      index,
      name: alias,
      from: fromExpanded,
      fromRaw: image,
      baseStage,
      line: step.line,
      steps: [step.index],
      final: false,
      reachesFinal: false,
      dependsOn: baseStage !== null ? [baseStage] : [],
      platform,
    });
    if (alias !== null) {
      const list = this.byName.get(alias);
      if (list) list.push(index);
      else this.byName.set(alias, [index]);
    }
    step.stage = index;
    // a stage built FROM an earlier stage starts with its environment and WORKDIR (ARGs do not carry over)
    const base = baseStage !== null ? this.stageEnd[baseStage] : undefined;
    this.scope = new StageScope(base ? new Map(base.env) : new Map());
    this.workdir = base ? base.workdir : '/';
    step.workdir = this.workdir;
  }

  /** ARG inside a stage. */
  private arg(words: string[]): void {
    const { globalArgs, buildArgs } = this;
    for (const [k, v] of readAssignments(words, this.esc, this.scope, true, this.budget)) {
      // ARG NAME inside a stage re-declares a global ARG and takes its value; --build-arg wins over both
      const inherited = v === null && globalArgs.has(k) ? (this.globalView.get(k) ?? null) : v;
      this.scope.args.set(k, buildArgs.has(k) ? (buildArgs.get(k) ?? null) : inherited);
    }
  }

  private setWorkdir(step: Step): void {
    const dir = expand(step.words.join(' '), this.scope, this.esc, this.budget);
    this.workdir = resolveDir(this.workdir, dir);
    step.workdir = this.workdir;
    step.createsLayer = this.buildkit && this.workdir !== '/';
  }

  /** RUN: a layer; `--mount=from=` links the stage to the one mounted (the first such mount is its copyFrom). */
  private run(step: Step, stage: Stage): void {
    step.createsLayer = true;
    if (!step.execForm) step.vars = declaredVars(step.command, this.scope);
    for (const f of step.flags) {
      if (f.name !== 'mount' || !f.value) continue;
      const from = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
      if (!from) continue;
      const ref = expand(from, this.scope, this.esc, this.budget);
      const s = findStageOrIndex(this.byName, ref, stage.index);
      step.copyFrom ??= { stage: s, image: s === null ? ref : null, raw: from };
      if (s !== null) this.dependOn(stage, s);
    }
  }

  /** COPY and ADD: a layer, its sources and destination (made absolute), and the stage of its --from. */
  private copy(step: Step, stage: Stage): void {
    const { esc, budget, scope, workdir } = this;
    step.createsLayer = true;
    const paths = step.words.map((w) => expand(w, scope, esc, budget));
    const dest = paths.length > 1 ? paths[paths.length - 1] : '';
    // heredoc sources (`COPY <<EOF /etc/app.conf`) are written inline, not read from the build context
    step.sources = paths.slice(0, -1).filter((p) => !isHeredocWord(p, step.heredocs));
    step.destination = dest === '' ? workdir : isAbsolutePath(dest) ? dest : resolveDestination(workdir, dest);
    const fromFlag = step.flags.find((f) => f.name === 'from');
    if (fromFlag?.value) {
      const ref = expand(fromFlag.value, scope, esc, budget);
      const s = findStageOrIndex(this.byName, ref, stage.index);
      step.copyFrom = { stage: s, image: s === null ? ref : null, raw: fromFlag.value };
      if (s !== null) this.dependOn(stage, s);
    }
  }

  private dependOn(stage: Stage, s: number): void {
    const deps = stage.dependsOn;
    if (deps.length < 16) {
      if (!deps.includes(s)) deps.push(s);
      return;
    }
    let set = this.depSets.get(stage.index);
    if (!set) this.depSets.set(stage.index, (set = new Set(deps)));
    if (set.has(s)) return;
    set.add(s);
    deps.push(s);
  }
}

/**
 * Variables that change what a program run by a RUN does without the text naming them (NODE_ENV=production makes
 * npm and yarn leave out dev dependencies): in Step.vars whenever the Dockerfile declares them.
 */
const PROGRAM_ENV = ['NODE_ENV'];

/** The declared variables a RUN's shell text refers to, with their values (see Step.vars); undefined when none. */
function declaredVars(command: string, scope: Scope): ReadonlyMap<string, string | null> | undefined {
  let vars: Map<string, string | null> | undefined;
  for (const name of PROGRAM_ENV) if (scope.has(name)) (vars ??= new Map()).set(name, scope.get(name) ?? null);
  if (!command.includes('$')) return vars;
  for (const name of referencedVariables(command)) {
    if (scope.has(name)) (vars ??= new Map()).set(name, scope.get(name) ?? null);
  }
  return vars;
}

function runCommand(rest: string, heredocs: Heredoc[]): string {
  if (heredocs.length === 0) return rest;
  return [rest, ...heredocs.map((h) => h.body)].join('\n');
}

function isHeredocWord(word: string, heredocs: Heredoc[]): boolean {
  const m = /^\d*<<-?(["']?)(.+)\1$/.exec(word);
  return m !== null && heredocs.some((h) => h.name === m[2]);
}

/** `/app`, or a Windows path such as `C:\\app` or `c:/app` (Windows containers, usually with escape=`). */
function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function resolveDir(current: string, dir: string): string {
  if (dir === '') return current;
  if (/^[A-Za-z]:[\\/]/.test(dir)) return dir;
  if (/^[A-Za-z]:[\\/]/.test(current)) return `${withoutTrailing(current, '\\/')}\\${dir}`;
  return posix.resolve(current, dir);
}

/** A relative COPY destination under WORKDIR; a trailing slash (copy into a folder) is kept. */
function resolveDestination(dir: string, rel: string): string {
  if (/^[A-Za-z]:[\\/]/.test(dir)) return `${withoutTrailing(dir, '\\/')}\\${rel}`;
  const joined = posix.join(dir, rel);
  return rel.endsWith('/') && !joined.endsWith('/') ? joined + '/' : joined;
}
