// Dockerfile text -> DockerfileModel (stages and steps).
// The instructions are read here from the raw lines, the way BuildKit's parser reads them (parser directives,
// the escape character, continuation lines with comment and blank lines inside, heredoc bodies), so that any
// text, however broken, yields a model in one linear pass. dockerfile-ast builds a full syntax tree and was the
// slowest part of an edit on a 5,000-line file; the test suite checks that our instruction ranges agree with it.

import * as posix from 'node:path/posix';
import type {
  AnalysisOptions,
  DockerfileModel,
  Flag,
  Heredoc,
  IgnorePragma,
  ParserDirectives,
  Stage,
  Step,
} from './model';
import { keep, sameHeredocs, sameStep } from './reuse';
import { withoutTrailing } from './text';
import { expand, MAX_EXPANSION, MAX_EXPANSION_PER_INSTRUCTION, type ExpansionBudget, type Scope } from './variables';

const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);
const FLAG_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/** One instruction as found in the text, before interpretation. */
interface RawInstruction {
  keyword: string;
  /** 0-based line range (inclusive, heredoc bodies included) and the keyword's 0-based column. */
  start: number;
  end: number;
  column: number;
  /** The arguments with continuation lines joined (comment and blank lines inside dropped), trimmed. */
  args: string;
  heredocs: Heredoc[];
}

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

/** A scope with a few names set on top of another, without copying it. */
class Overlay implements Scope {
  private own: Map<string, string | null> | null = null;
  constructor(private readonly base: Scope) {}
  set(name: string, value: string | null): void {
    (this.own ??= new Map()).set(name, value);
  }
  get(name: string): string | null | undefined {
    return this.own?.has(name) ? this.own.get(name) : this.base.get(name);
  }
  has(name: string): boolean {
    return (this.own?.has(name) ?? false) || this.base.has(name);
  }
}

/**
 * `previous`: the model of the document's previous version; its Step objects are kept where the new ones equal them.
 */
// eslint-disable-next-line max-lines-per-function -- TODO(issue 13): split
export function parseDockerfile(
  text: string,
  options: AnalysisOptions = {},
  previous?: DockerfileModel,
): DockerfileModel {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // split on \n (a plain split is several times faster than /\r?\n/ on a long file), then drop the \r of CRLF endings
  const lines = text.split('\n');
  if (eol === '\r\n')
    for (let i = 0; i < lines.length - 1; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  const problems: string[] = [];
  const directives = readDirectives(lines);
  const esc = directives.escape;
  const optionsKey = parseOptionsKey(options, esc);
  const earlier = previous !== undefined ? parsedWith.get(previous) : undefined;
  // Instructions above the first changed line are not scanned again: the previous version's steps that end before it
  // (with an unchanged line after them, so that no continuation or heredoc can run on into the edit) are what the scan
  // would find there. Only for a previous model read the same way, whose every instruction became a step.
  const before =
    previous !== undefined && earlier?.key === optionsKey && earlier.complete && previous.eol === eol
      ? previous.steps
      : undefined;
  let carried = 0;
  if (before && previous) {
    const unchanged = unchangedLines(lines, previous.lines);
    while (carried < before.length && before[carried].endLine < unchanged) carried++;
  }
  let raw: RawInstruction[];
  let complete = true;
  try {
    raw = scanInstructions(lines, esc, carried > 0 ? (before as Step[])[carried - 1].endLine : 0);
  } catch (e) {
    // the scanner is total by design; this is a last line of defence so that a bug yields a model, not a crash
    problems.push(`reading the instructions failed (${(e as Error).message})`);
    raw = [];
    complete = false;
  }
  const ignores = readIgnorePragmas(lines, before ?? [], carried, raw);
  const buildkit = options.buildkit ?? true;

  const globalArgs = new Map<string, string | null>();
  const stages: Stage[] = [];
  const steps: Step[] = [];
  let scope = new StageScope();
  let workdir = '/';
  const stageEnd: { env: Map<string, string | null>; workdir: string }[] = [];
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  /** Stages by name (lowercased), in order: a lookup costs O(1) however many stages there are. */
  const byName = new Map<string, number[]>();
  /**
   * dependsOn of a stage with many dependencies, as a set (the array stays the model's; most stages have one or two).
   */
  const depSets = new Map<number, Set<number>>();
  // What variable substitutions may still add to the model (see variables.ts): per instruction, and over the file.
  let fileBudget = MAX_EXPANSION_PER_FILE;
  let budget: ExpansionBudget = { left: 0, truncated: false };
  let detachedWorkdir: [string, string] | null = null;

  // global ARGs as FROM sees them: their defaults, replaced by --build-arg values
  const globalView: Scope = {
    get: (k) => (globalArgs.has(k) && buildArgs.has(k) ? buildArgs.get(k) : globalArgs.get(k)),
    has: (k) => globalArgs.has(k),
  };

  // The unchanged prefix: while every instruction so far came out as the previous version's step (same object), the
  // variables, WORKDIR and stages in force are the previous version's too, so an instruction whose raw text and place
  // are unchanged is that same step. Those that only read that state (RUN, COPY, CMD...) are taken without being
  // read again: on a long file an edit near the end re-reads a few lines, not all of them. Those that change it
  // (FROM, ARG, ENV, WORKDIR) are always read, so the state stays complete for the steps after the edit.
  let intact = before !== undefined;
  for (let k = 0; k < carried; k++) take(asRaw((before as Step[])[k]));
  for (const ins of raw) take(ins);

  function take(ins: RawInstruction): void {
    const index = steps.length;
    const prior = before?.[index];
    if (
      intact &&
      prior !== undefined &&
      stages.length > 0 &&
      REPLAYABLE.has(ins.keyword) &&
      sameRaw(prior, ins) &&
      !(prior.keyword === 'RUN' && prior.copyFrom !== undefined)
    ) {
      replay(prior);
      steps.push(prior);
      return;
    }
    budget = { left: Math.min(MAX_EXPANSION_PER_INSTRUCTION, fileBudget), truncated: false };
    const budgetBefore = budget.left;
    let step: Step;
    try {
      step = interpret(ins);
    } catch (e) {
      // interpret is total by design; should it fail, the instruction still becomes a step (uninterpreted), so that
      // step indexes follow the instructions and every stage lists exactly its steps
      problems.push(`line ${ins.start + 1}: could not read ${ins.keyword} (${(e as Error).message})`);
      step = uninterpreted(ins, index);
      intact = false;
      complete = false;
    }
    const same = previous?.steps[index];
    step = keep(step, same, sameStep);
    if (step !== same) {
      intact = false;
      if (previous !== undefined) {
        // steps share the WORKDIR string in force: detach it once, not once per step (it may be long)
        const wd = step.workdir;
        detachStrings(step);
        if (detachedWorkdir !== null && detachedWorkdir[0] === wd) step.workdir = detachedWorkdir[1];
        else detachedWorkdir = [wd, step.workdir];
      }
    }
    const used = budgetBefore - budget.left;
    fileBudget -= used;
    if (used > 0 || budget.truncated) {
      const cost = { used, truncated: budget.truncated };
      expansionCost.set(step, cost);
      noteCost(step, cost);
    }
    steps.push(step);
  }

  /** Says where variable expansion was cut short (a replayed step says it again: its cost is kept per step). */
  function noteCost(step: Step, cost: { truncated: boolean }): void {
    if (cost.truncated) {
      problems.push(
        `line ${step.line}: variable expansion truncated (a value is cut at ${MAX_EXPANSION / 1024} KB, an instruction's ` +
          `substitutions at ${MAX_EXPANSION_PER_INSTRUCTION / 1024} KB, the file's at ${MAX_EXPANSION_PER_FILE / 1024 / 1024} MB)`,
      );
    }
  }

  /**
   * A step for an instruction interpret could not read: its text, no expansions. Also keeps the stages consistent
   * with it (a FROM that failed before making its stage makes an empty one; any other step joins the last stage).
   */
  function uninterpreted(ins: RawInstruction, index: number): Step {
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
      workdir,
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

  function dependOn(stage: Stage, s: number): void {
    const deps = stage.dependsOn;
    if (deps.length < 16) {
      if (!deps.includes(s)) deps.push(s);
      return;
    }
    let set = depSets.get(stage.index);
    if (!set) depSets.set(stage.index, (set = new Set(deps)));
    if (set.has(s)) return;
    set.add(s);
    deps.push(s);
  }

  /** What interpret does to the stages for a step that only reads the state: list it, and link a COPY --from. */
  function replay(step: Step): void {
    const stage = stages[stages.length - 1];
    stage.steps.push(step.index);
    const from = step.copyFrom?.stage;
    if (from !== null && from !== undefined) dependOn(stage, from);
    const cost = expansionCost.get(step);
    if (cost) {
      fileBudget -= cost.used;
      noteCost(step, cost);
    }
  }

  // eslint-disable-next-line max-lines-per-function -- TODO(issue 13): split
  function interpret(ins: RawInstruction): Step {
    const keyword = ins.keyword;
    const { flags, rest } = FLAG_KEYWORDS.has(keyword) ? takeFlags(ins.args) : { flags: [], rest: ins.args };
    const exec = parseExecForm(rest);
    const words = exec ?? splitWords(rest, esc);
    const stageIndex = stages.length - 1;
    const step: Step = {
      index: steps.length,
      stage: stageIndex,
      keyword,
      line: ins.start + 1,
      endLine: ins.end + 1,
      column: ins.column + 1,
      args: ins.args,
      flags,
      words,
      execForm: exec !== null,
      heredocs: ins.heredocs,
      command: keyword === 'RUN' ? runCommand(rest, ins.heredocs) : ins.args,
      createsLayer: false,
      workdir,
    };

    if (keyword === 'FROM') {
      if (stageIndex >= 0) stageEnd[stageIndex] = { env: scope.env, workdir };
      const image = words[0] ?? '';
      const alias = words.length >= 3 && words[1].toUpperCase() === 'AS' ? words[2].toLowerCase() : null;
      const fromExpanded = expand(image, globalView, esc, budget);
      const baseStage = lastNamed(byName, fromExpanded.toLowerCase(), stages.length);
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
        const list = byName.get(alias);
        if (list) list.push(index);
        else byName.set(alias, [index]);
      }
      step.stage = index;
      // a stage built FROM an earlier stage starts with its environment and WORKDIR (ARGs do not carry over)
      const base = baseStage !== null ? stageEnd[baseStage] : undefined;
      scope = new StageScope(base ? new Map(base.env) : new Map());
      workdir = base ? base.workdir : '/';
      step.workdir = workdir;
      return step;
    }
    if (stageIndex < 0) {
      if (keyword === 'ARG') {
        for (const [k, v] of readAssignments(words, esc, globalView, true, budget)) globalArgs.set(k, v);
      } else {
        problems.push(`line ${step.line}: ${keyword} before the first FROM`);
      }
      return step;
    }
    const stage = stages[stageIndex];
    stage.steps.push(step.index);
    switch (keyword) {
      case 'ARG':
        for (const [k, v] of readAssignments(words, esc, scope, true, budget)) {
          // ARG NAME inside a stage re-declares a global ARG and takes its value; --build-arg wins over both
          const inherited = v === null && globalArgs.has(k) ? (globalView.get(k) ?? null) : v;
          scope.args.set(k, buildArgs.has(k) ? (buildArgs.get(k) ?? null) : inherited);
        }
        break;
      case 'ENV':
        for (const [k, v] of readAssignments(words, esc, scope, false, budget)) scope.env.set(k, v ?? '');
        break;
      case 'WORKDIR': {
        const dir = expand(words.join(' '), scope, esc, budget);
        workdir = resolveDir(workdir, dir);
        step.workdir = workdir;
        step.createsLayer = buildkit && workdir !== '/';
        break;
      }
      case 'RUN':
        step.createsLayer = true;
        for (const f of flags) {
          if (f.name !== 'mount' || !f.value) continue;
          const from = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
          if (!from) continue;
          const ref = expand(from, scope, esc, budget);
          const s = findStageOrIndex(byName, ref, stageIndex);
          step.copyFrom ??= { stage: s, image: s === null ? ref : null, raw: from };
          if (s !== null) dependOn(stage, s);
        }
        break;
      case 'COPY':
      case 'ADD': {
        step.createsLayer = true;
        const paths = words.map((w) => expand(w, scope, esc, budget));
        const dest = paths.length > 1 ? paths[paths.length - 1] : '';
        // heredoc sources (`COPY <<EOF /etc/app.conf`) are written inline, not read from the build context
        step.sources = paths.slice(0, -1).filter((p) => !isHeredocWord(p, ins.heredocs));
        step.destination = dest === '' ? workdir : isAbsolutePath(dest) ? dest : resolveDestination(workdir, dest);
        const fromFlag = flags.find((f) => f.name === 'from');
        if (fromFlag?.value) {
          const ref = expand(fromFlag.value, scope, esc, budget);
          const s = findStageOrIndex(byName, ref, stageIndex);
          step.copyFrom = { stage: s, image: s === null ? ref : null, raw: fromFlag.value };
          if (s !== null) dependOn(stage, s);
        }
        break;
      }
      case 'ONBUILD':
        step.onbuildKeyword = (words[0] ?? '').toUpperCase();
        break;
      default:
        break;
    }
    return step;
  }

  const target = pickTarget(stages, options.target, problems);
  if (target >= 0) markReach(stages, target);
  const model: DockerfileModel = { text, lines, eol, directives, globalArgs, stages, steps, target, ignores, problems };
  parsedWith.set(model, { key: optionsKey, complete });
  return model;
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

/** How many leading lines the two versions share. */
function unchangedLines(lines: readonly string[], before: readonly string[]): number {
  const n = Math.min(lines.length, before.length);
  let k = 0;
  while (k < n && lines[k] === before[k]) k++;
  return k;
}

/** Instructions whose step depends on the variables, WORKDIR and stages in force but changes none of them. */
const REPLAYABLE = new Set([...KEYWORDS].filter((k) => k !== 'FROM' && k !== 'ARG' && k !== 'ENV' && k !== 'WORKDIR'));

/**
 * How each model was read: the options and escape character (its steps carry over only to a model read the same
 * way), and whether every instruction became a step (else step indexes do not follow the instructions).
 */
const parsedWith = new WeakMap<DockerfileModel, { key: string; complete: boolean }>();

/** Text that variable substitutions may add over a whole file (see variables.ts). */
const MAX_EXPANSION_PER_FILE = 4 * 1024 * 1024;

/**
 * What a step's expansions took from the file's budget, and whether one was cut: a step carried over to a later
 * version (not read again) takes the same share, so a document reads the same with or without its previous version.
 */
const expansionCost = new WeakMap<Step, { used: number; truncated: boolean }>();

/**
 * Whether two models were read with the same escape character and options (build args, BuildKit): then equal steps
 * mean equal stages too (a stage's base image is expanded with the build args).
 */
export function readAlike(a: DockerfileModel, b: DockerfileModel): boolean {
  const key = parsedWith.get(a)?.key;
  return key !== undefined && key === parsedWith.get(b)?.key;
}

function parseOptionsKey(options: AnalysisOptions, esc: string): string {
  return JSON.stringify([esc, options.buildkit ?? true, options.buildArgs ?? null]);
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

function findStage(stages: Stage[], ref: string): number | null {
  const name = ref.toLowerCase();
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i].name === name) return i;
  return null;
}

/** The last stage named `name` before stage `before`, from the by-name index (indexes ascending). */
function lastNamed(byName: ReadonlyMap<string, readonly number[]>, name: string, before: number): number | null {
  const list = byName.get(name);
  if (!list) return null;
  // only the current stage can be at or after `before`, so at most one step back
  for (let k = list.length - 1; k >= 0 && k >= list.length - 2; k--) if (list[k] < before) return list[k];
  return null;
}

function findStageOrIndex(byName: ReadonlyMap<string, readonly number[]>, ref: string, current: number): number | null {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n < current ? n : null;
  }
  return lastNamed(byName, ref.toLowerCase(), current);
}

function pickTarget(stages: Stage[], target: string | undefined, problems: string[]): number {
  if (stages.length === 0) return -1;
  if (target) {
    const s = findStage(stages, target);
    if (s !== null) return s;
    problems.push(`target stage "${target}" not found; using the last stage`);
  }
  return stages.length - 1;
}

function markReach(stages: Stage[], target: number): void {
  stages[target].final = true;
  const seen = new Set<number>();
  for (let s: number | null = target; s !== null && !seen.has(s); s = stages[s].baseStage) {
    seen.add(s);
    stages[s].reachesFinal = true;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading the raw text

function readDirectives(lines: string[]): ParserDirectives {
  const d: ParserDirectives = { syntax: null, escape: '\\', check: null };
  for (const line of lines) {
    const m = /^\s*#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) break; // directives must come first; any other line (even blank) ends them
    const key = m[1].toLowerCase();
    if (key === 'syntax') d.syntax = m[2];
    else if (key === 'escape' && (m[2] === '`' || m[2] === '\\')) d.escape = m[2];
    else if (key === 'check') d.check = m[2];
    else break;
  }
  return d;
}

/**
 * What follows `<<` in `<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<'EOF'`: a word that starts a heredoc (BuildKit reads it from
 * RUN, COPY, ADD) when the `<<` starts a word (after blanks and an optional file descriptor).
 */
const HEREDOC_HEAD = /(-?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/y;

const isBlank = (c: number): boolean =>
  c === 32 ||
  c === 9 ||
  c === 13 ||
  c === 12 ||
  c === 11 ||
  c === 0xfeff ||
  c === 0xa0 ||
  (c > 0x1fff && /\s/.test(String.fromCharCode(c)));

function leadingBlanks(line: string): number {
  let k = 0;
  while (k < line.length && isBlank(line.charCodeAt(k))) k++;
  return k;
}

function lastNonBlank(line: string): number {
  let k = line.length - 1;
  while (k >= 0 && isBlank(line.charCodeAt(k))) k--;
  return k;
}

/** A line that holds nothing, or only a comment (`#` after blanks): skipped between and inside instructions. */
function isBlankOrComment(line: string): boolean {
  const k = leadingBlanks(line);
  return k === line.length || line.charCodeAt(k) === 35;
}

/** The instruction word at `from`: its letters (`RUN`, or `RUN` in `RUN\`), else the run of non-blanks. */
function keywordAt(line: string, from: number): string {
  let k = from;
  while (k < line.length && isLetter(line.charCodeAt(k))) k++;
  if (k > from) return line.slice(from, k);
  while (k < line.length && !isBlank(line.charCodeAt(k))) k++;
  return line.slice(from, k);
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Finds the instructions and their line ranges in one pass, as BuildKit's parser does: blank and comment
 * lines between instructions are skipped; a line whose last non-blank character is the escape character
 * continues on the next line (comment and blank lines in between are dropped); RUN, COPY and ADD read heredoc
 * bodies from the lines after the instruction. Every non-blank, non-comment line outside those starts an
 * instruction, whatever its first word (an unknown word is still an instruction, as Docker reports it).
 */
function scanInstructions(lines: string[], esc: string, from = 0): RawInstruction[] {
  const out: RawInstruction[] = [];
  const n = lines.length;
  let i = from;
  while (i < n) {
    const first = lines[i];
    if (isBlankOrComment(first)) {
      i++;
      continue;
    }
    const lead = leadingBlanks(first);
    const word = keywordAt(first, lead);
    const start = i;
    let end = i;
    let args: string;
    let last = lastNonBlank(first);
    if (last < 0 || first[last] !== esc) {
      args = first.slice(lead + word.length); // the common case: a one-line instruction
    } else {
      args = '';
      let current = first;
      let from = lead + word.length;
      for (;;) {
        if (last < 0 || current[last] !== esc) {
          args += current.slice(from);
          break;
        }
        args += current.slice(from, last);
        let j = end + 1;
        while (j < n && isBlankOrComment(lines[j])) j++;
        if (j >= n) break; // the file ends in a continuation: the instruction ends with it
        end = j;
        current = lines[j];
        from = 0;
        last = lastNonBlank(current);
      }
    }
    args = args.trim();
    const keyword = word.toUpperCase();
    const heredocs = HEREDOC_KEYWORDS.has(keyword) ? readHeredocs(lines, args, end + 1) : [];
    if (heredocs.length) end = heredocs[heredocs.length - 1].endLine - 1;
    out.push({ keyword, start, end, column: lead, args, heredocs });
    i = end + 1;
  }
  return out;
}

/** Reads the bodies of the heredocs that `args` opens, one after another from line `from` (0-based). */
function readHeredocs(lines: string[], args: string, from: number): Heredoc[] {
  if (!args.includes('<<')) return [];
  const found: Heredoc[] = [];
  let i = from;
  const quotes = new QuoteScanner(args);
  for (const m of heredocHeads(args)) {
    if (quotes.insideAt(m.index)) continue;
    const stripTabs = m[1] === '-';
    const name = m[3];
    const bodyLines: string[] = [];
    const startLine = i;
    let end = -1;
    for (; i < lines.length; i++) {
      const l = stripTabs ? lines[i].replace(/^\t+/, '') : lines[i];
      if (l === name) {
        end = i;
        i++;
        break;
      }
      bodyLines.push(l);
    }
    // an unterminated heredoc runs to the end of the file (BuildKit reads it the same way)
    const last = lines.length - 1;
    found.push({
      name,
      stripTabs,
      quoted: m[2] !== '',
      body: bodyLines.join('\n'),
      line: Math.min(startLine, last) + 1,
      endLine: Math.min(Math.max(startLine, end >= 0 ? end : last), last) + 1,
    });
    if (end < 0) break;
  }
  return found;
}

/** The heredoc words of `args` in order (`m[1]`: `-`, `m[2]`: quote, `m[3]`: name), in one pass. */
function* heredocHeads(args: string): Generator<RegExpExecArray> {
  for (let at = args.indexOf('<<'); at >= 0; at = args.indexOf('<<', at + 1)) {
    let k = at - 1;
    while (k >= 0 && args.charCodeAt(k) >= 48 && args.charCodeAt(k) <= 57) k--;
    if (k >= 0 && !/\s/.test(args[k])) continue;
    HEREDOC_HEAD.lastIndex = at + 2;
    const m = HEREDOC_HEAD.exec(args);
    if (!m) continue;
    m.index = at;
    yield m;
    at = HEREDOC_HEAD.lastIndex - 1;
  }
}

/**
 * Whether positions of a shell text are inside a single- or double-quoted string, asked in increasing order: the
 * text is read once, however many positions are asked about.
 */
class QuoteScanner {
  private k = 0;
  private quote: string | null = null;
  constructor(private readonly text: string) {}

  insideAt(at: number): boolean {
    const text = this.text;
    let k = this.k;
    let quote = this.quote;
    for (; k < at; k++) {
      const c = text[k];
      if (quote) {
        if (c === quote) quote = null;
        else if (c === '\\' && quote === '"') k++;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '\\') k++;
    }
    this.k = k;
    this.quote = quote;
    return quote !== null;
  }
}

/** The instructions in order: the first `carried` steps of the previous version, then those scanned (`raw`). */
function readIgnorePragmas(
  lines: string[],
  before: readonly Step[],
  carried: number,
  raw: RawInstruction[],
): IgnorePragma[] {
  const out: IgnorePragma[] = [];
  const count = carried + raw.length;
  const startOf = (r: number) => (r < carried ? before[r].line - 1 : raw[r - carried].start);
  const endOf = (r: number) => (r < carried ? before[r].endLine - 1 : raw[r - carried].end);
  let r = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes('ignore')) continue;
    // the codes are checked apart: `\s*=\s*[...\s...]+$` in one pattern backtracks quadratically on a long line
    const m = /^\s*#\s*(hadolint|layer-insight)\s+(global\s+)?ignore\s*=([^]*)$/.exec(line);
    if (!m || m[3] === '' || !/^[A-Za-z0-9_,\s-]+$/.test(m[3])) continue;
    while (r < count && endOf(r) < i) r++;
    // a pragma inside an instruction (a comment between continuation lines, a heredoc line) does not count
    if (r < count && startOf(r) < i) continue;
    const codes = m[3]
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    out.push({ line: i + 1, codes, global: Boolean(m[2]) });
  }
  return out;
}

function runCommand(rest: string, heredocs: Heredoc[]): string {
  if (heredocs.length === 0) return rest;
  return [rest, ...heredocs.map((h) => h.body)].join('\n');
}

/** Splits leading `--name[=value]` flags from the arguments. */
export function takeFlags(args: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  if (!args.startsWith('--')) return { flags, rest: args };
  let rest = args;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("[^"]*"|'[^']*'|\S*))?(\s+|$)/.exec(rest);
    if (!m) break;
    let value: string | null = m[2] ?? null;
    if (value && /^["'].*["']$/.test(value)) value = value.slice(1, -1);
    flags.push({ name: m[1].toLowerCase(), value });
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}

function parseExecForm(rest: string): string[] | null {
  const t = rest.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form that happens to start with '['
  }
  return null;
}

/** Shell-like word splitting with quotes removed (what Docker does for COPY/ADD/FROM/ARG/ENV words). */
export function splitWords(text: string, esc = '\\'): string[] {
  // most arguments have no quotes and no escape character: split on blanks without building words char by char
  if (!text.includes('"') && !text.includes("'") && !text.includes(esc)) {
    const t = text.trim();
    return t === '' ? [] : t.split(/\s+/);
  }
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === esc && quote === '"' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === esc))
        cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === esc && i + 1 < text.length && text[i + 1] !== '$') {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** Reads `K=V K2=V2`, the legacy `K V` form (ENV only), or bare `K` (ARG). Values are expanded in order. */
function readAssignments(
  words: string[],
  esc: string,
  scope: Scope,
  isArg: boolean,
  budget: ExpansionBudget,
): [string, string | null][] {
  const out: [string, string | null][] = [];
  if (!isArg && words.length >= 2 && !words[0].includes('=')) {
    out.push([words[0], expand(words.slice(1).join(' '), scope, esc, budget)]);
    return out;
  }
  // ARG A=1 B=$A: later values see earlier ones; ENV values all see the scope before the instruction
  const local = isArg && words.length > 1 ? new Overlay(scope) : null;
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) out.push([w, null]);
      continue;
    }
    const k = w.slice(0, eq);
    const v = expand(w.slice(eq + 1), local ?? scope, esc, budget);
    local?.set(k, v);
    out.push([k, v]);
  }
  return out;
}

/** The keyword of a line if it starts an instruction (used by views to find instruction lines). */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}
