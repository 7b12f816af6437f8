// Which commands of a RUN run: its shell text read as a script, with `if`/`elif`/`else`, `case` and `test && cmd`
// / `test || cmd` decided where the condition can be decided before the build (./conditions.ts: the Dockerfile's
// ARG and ENV values with --build-arg, what the RUN assigns, the target platform). A branch that cannot be decided
// becomes a Choice among its alternatives (`none` when no branch may run); the estimator counts the largest
// (./index.ts). A command that is not a test is taken to succeed (`a && b` runs b; `a || b` does not).
// The RUN's variables are expanded in the commands' words (`apt-get install $BUILD_PACKAGES`), where known.
// `x="$(apt-mark showmanual)"` is kept as a command (`apt-mark showmanual <mark>`) and `$x` expands to the mark, so
// that apt.ts can restore the packages it saved.
// Loops run their body once; function bodies count as run. Bounded: one pass over the tokens with an explicit stack of
// the open `if`, `case` and groups, no recursion. Text that does not read as a script (an `fi` without `if`,
// constructs left open) gives null: the caller then counts every command, as if every branch ran.

import type { Step } from '../../model';
import { commandFromWords, commandsOf, isHeredocOnly, scanShell, type ShellCommand } from '../../shell';
import {
  evalTest,
  flip,
  globMatch,
  ShellVars,
  substitutionOf,
  targetArch,
  UNKNOWN,
  type Tri,
  type Value,
} from './conditions';

/** A command runs only when every guard's choice takes that alternative. */
export interface Guard {
  readonly choice: number;
  readonly alt: number;
}

/** A construct whose branch cannot be decided before the build. */
export interface Choice {
  /** The construct as written (`if [ -f /x ]`, `case "$1"`). */
  readonly what: string;
  /** Its alternatives' labels, in order (`then`, `else`, `amd64)`, `none`). */
  readonly alts: string[];
}

export interface Flow {
  /** The commands that may run, in order. */
  commands: readonly ShellCommand[];
  /** Per command, the guards it runs under; null when every command runs. */
  guards: readonly (readonly Guard[])[] | null;
  choices: Choice[];
  /** Undecided constructs past MAX_CHOICES: every branch of theirs runs (as if each ran). */
  unbounded: number;
  /** Constructs decided here, for the basis (`case "$arch" (amd64) → amd64)`). */
  decided: string[];
}

/**
 * Undecided constructs a RUN may have; those past it count every branch. Bounds the guards of a command (one per
 * undecided construct around it) whatever the nesting.
 */
export const MAX_CHOICES = 32;

/** A case pattern and subject longer than this together are not matched (the matcher is length x length). */
const MAX_MATCH = 1_000_000;

/** The mark `$(apt-mark showmanual)` stands for, followed by its number in the RUN. */
export const MANUAL_MARK = '\u0000apt-mark-showmanual#';

interface Word {
  word: string;
  quoted: boolean;
}

/** The status of the last pipeline: decided, or undecided with the choice it takes when needed. */
type Status = 'T' | 'F' | { what: string; choice: number };

interface Frame {
  kind: 'if' | 'case' | 'group';
  outerActive: boolean;
  outerGuards: readonly Guard[];
  /** The part being read runs (given the frames around it), under these guards. */
  active: boolean;
  guards: readonly Guard[];
  phase: 'cond' | 'body' | 'pattern';
  /** A branch was decided to run: the later ones do not. */
  taken: boolean;
  /** Some branch was skipped (for the notes). */
  skipped: boolean;
  /** Its choice: -1 while none is needed, -2 past MAX_CHOICES. */
  choice: number;
  /** Branches seen so far. */
  n: number;
  /** The construct's head as written, and the label of its branch that runs. */
  what: string;
  ran: string | null;
  cond: { words: Word[]; op: string; negate: boolean }[];
  subject: Value;
  patterns: Word[];
  /** The and-or state around a group, restored when it closes. */
  saved?: { status: Status; pending: string | null };
}

const LIST_END = new Set([';', '\n', '&', ';;', ';&', ';;&', '', '(', ')', '{', '}']);
const CASE_END = new Set([';;', ';&', ';;&']);
const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done']);
const ASSIGNING = new Set(['export', 'readonly', 'declare', 'local', 'typeset']);

class FlowReader {
  readonly commands: ShellCommand[] = [];
  readonly guards: (readonly Guard[])[] = [];
  readonly choices: Choice[] = [];
  readonly decided: string[] = [];
  unbounded = 0;
  private readonly stack: Frame[] = [];
  private status: Status = 'T';
  private pending: string | null = null;
  /** Whether the pipeline being read runs, and under which guard (set at its first command). */
  private pipe: { run: boolean; guard: Guard | null } | null = null;
  private negate = false;
  private marks = 0;

  constructor(private readonly vars: ShellVars) {}

  /** Reads the text; false when it does not read as a script. */
  read(text: string): boolean {
    let words: Word[] = [];
    let ok = true;
    scanShell(
      text,
      true,
      (word, quoted) => words.push({ word, quoted }),
      (op) => {
        ok &&= this.simple(words, op);
        words = [];
      },
    );
    return ok && this.simple(words, '') && this.stack.length === 0;
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private context(): { active: boolean; guards: readonly Guard[] } {
    const f = this.top();
    return f ? { active: f.active, guards: f.guards } : { active: true, guards: [] };
  }

  /** One simple command's words and the operator after them. */
  private simple(words: Word[], op: string): boolean {
    let i = 0;
    const f = this.top();
    if (f?.kind === 'case' && f.phase === 'pattern') return this.pattern(f, words, op);
    for (; i < words.length && !words[i].quoted; i++) {
      const w = words[i].word;
      if (w === '!') this.negate = !this.negate;
      else if (w === 'case') {
        if (words[i + 2]?.word !== 'in') return false;
        this.openCase(words[i + 1]);
        return this.pattern(this.top() as Frame, words.slice(i + 3), op);
      } else if (w === 'for') {
        if (words[i + 1]) this.vars.set(words[i + 1].word, UNKNOWN);
        return this.operator(op);
      } else if (w === '{' || w === '}') {
        if (!this.operator(w)) return false;
      } else if (!KEYWORDS.has(w)) break;
      else if (!this.keyword(w)) return false;
    }
    if (i < words.length) this.command(words.slice(i), op);
    return this.operator(op);
  }

  private keyword(w: string): boolean {
    const f = this.top();
    switch (w) {
      case 'if':
        this.open('if', this.context());
        return true;
      case 'then':
        if (f?.kind !== 'if' || f.phase !== 'cond') return false;
        this.branch(f, this.condition(f), f.n === 0 ? 'then' : `elif #${f.n}`);
        return true;
      case 'elif':
        if (f?.kind !== 'if' || f.phase !== 'body') return false;
        f.phase = 'cond';
        f.cond = [];
        return true;
      case 'else':
        if (f?.kind !== 'if' || f.phase !== 'body') return false;
        this.branch(f, 'T', 'else');
        return true;
      case 'fi':
      case 'esac':
        if (f?.kind !== (w === 'fi' ? 'if' : 'case') || f.phase === 'cond') return false;
        this.close(f);
        return true;
      default:
        // while/until/do/done: a loop's body is read once
        return true;
    }
  }

  /** An operator after a simple command: lists, pipelines, groups, the end of a case branch. */
  private operator(op: string): boolean {
    if (op === '(' || op === '{') this.openGroup();
    else if (op === ')' || op === '}') return this.closeGroup();
    else if (op === '&&' || op === '||') {
      this.pending = op;
      this.pipe = null;
    } else if (LIST_END.has(op)) {
      this.pending = null;
      this.status = 'T';
      this.pipe = null;
      const f = this.top();
      if (CASE_END.has(op)) {
        if (f?.kind !== 'case' || f.phase !== 'body') return false;
        f.phase = 'pattern';
      }
    }
    return true;
  }

  private open(kind: Frame['kind'], ctx: { active: boolean; guards: readonly Guard[] }): Frame {
    const f: Frame = {
      kind,
      outerActive: ctx.active,
      outerGuards: ctx.guards,
      active: false,
      guards: ctx.guards,
      phase: kind === 'if' ? 'cond' : kind === 'case' ? 'pattern' : 'body',
      taken: false,
      skipped: false,
      choice: -1,
      n: 0,
      what: kind,
      ran: null,
      cond: [],
      subject: UNKNOWN,
      patterns: [],
    };
    this.stack.push(f);
    this.status = 'T';
    this.pending = null;
    this.pipe = null;
    return f;
  }

  /** `(` or `{`: a group that runs as one command of the and-or list around it. */
  private openGroup(): void {
    const saved = { status: this.status, pending: this.pending };
    const d = this.decide();
    const ctx = this.context();
    const f = this.open('group', ctx);
    f.active = ctx.active && d.run;
    f.guards = d.guard ? [...ctx.guards, d.guard] : ctx.guards;
    f.saved = saved;
  }

  /** `)` or `}`: the group ran as one command (its status: taken to succeed; skipped: the status before it). */
  private closeGroup(): boolean {
    const f = this.top();
    if (f?.kind !== 'group') return false;
    this.stack.pop();
    const before = f.saved?.status ?? 'T';
    const guarded = f.guards.length > f.outerGuards.length;
    this.status = !f.active || (guarded && f.saved?.pending === '&&') ? before : 'T';
    this.pending = null;
    this.pipe = null;
    return true;
  }

  private openCase(subject: Word | undefined): void {
    const f = this.open('case', this.context());
    f.subject = subject ? this.vars.valueOf(subject.word) : UNKNOWN;
    f.what = clip(`case ${subject?.quoted ? `"${subject.word}"` : (subject?.word ?? '')}`);
  }

  /** In a case, between branches: `pat | pat )`, or `esac`. */
  private pattern(f: Frame, words: Word[], op: string): boolean {
    if (words.length === 0 && op !== ')' && op !== '|') return op === '(' || op === ';' || op === '\n';
    if (words.length === 1 && words[0].word === 'esac' && !words[0].quoted) {
      this.close(f);
      return this.operator(op);
    }
    f.patterns.push(...words);
    if (op === '|') return true;
    if (op !== ')') return false;
    const pats = f.patterns;
    f.patterns = [];
    this.branch(f, this.matches(f.subject, pats), clip(`${pats.map((p) => p.word).join(' | ')})`));
    return true;
  }

  private matches(subject: Value, pats: Word[]): Tri {
    let r: Tri = 'F';
    for (const p of pats) {
      const v = this.vars.valueOf(p.word);
      if (v === '*') return 'T';
      if (v === UNKNOWN || subject === UNKNOWN || v.length * subject.length > MAX_MATCH) r = 'U';
      else if (globMatchWord(v, subject, p.quoted)) return 'T';
    }
    return r;
  }

  /** A branch starts: it runs when decided so, or as an alternative of the construct's choice. */
  private branch(f: Frame, r: Tri, label: string): void {
    f.phase = 'body';
    f.n++;
    this.status = 'T';
    this.pending = null;
    this.pipe = null;
    if (f.taken || r === 'F' || !f.outerActive) {
      f.active = false;
      f.skipped = true;
      return;
    }
    if (r === 'U' && f.choice === -1) f.choice = this.newChoice(f.what, []);
    f.active = true;
    f.guards = f.outerGuards;
    if (f.choice >= 0) {
      const alt = this.choices[f.choice].alts.push(label) - 1;
      f.guards = [...f.outerGuards, { choice: f.choice, alt }];
    }
    // past MAX_CHOICES (choice -2) every branch runs: none is taken
    if (r === 'T' && f.choice !== -2) {
      f.taken = true;
      f.ran = label;
    }
  }

  /** A new choice, or -2 past MAX_CHOICES (then every branch runs). */
  private newChoice(what: string, alts: string[]): number {
    if (this.choices.length < MAX_CHOICES) return this.choices.push({ what, alts }) - 1;
    this.unbounded++;
    return -2;
  }

  private close(f: Frame): void {
    this.stack.pop();
    if (f.choice >= 0 && !f.taken) this.choices[f.choice].alts.push('none');
    else if (f.choice < 0 && f.skipped && f.outerActive) this.decided.push(`\`${f.what}\` → ${f.ran ?? 'no branch'}`);
    this.status = 'T';
    this.pending = null;
    this.pipe = null;
  }

  /** The status of an `if`'s condition list, from its tests. */
  private condition(f: Frame): Tri {
    let s: Tri = 'T';
    let op = ';';
    for (const c of f.cond) {
      const next = c.negate ? flip(this.statusOf(c.words)) : this.statusOf(c.words);
      if (op === '&&') s = s === 'F' ? 'F' : s === 'T' ? next : next === 'F' ? 'F' : 'U';
      else if (op === '||') s = s === 'T' ? 'T' : s === 'F' ? next : next === 'T' ? 'T' : 'U';
      else s = next;
      op = c.op;
    }
    if (f.n === 0)
      f.what = clip(`if ${f.cond.map((c) => (c.negate ? '! ' : '') + c.words.map(show).join(' ')).join(' … ')}`);
    return s;
  }

  /** A command's own status: tests are evaluated, true/false are, anything else is U (in conditions). */
  private statusOf(words: Word[]): Tri {
    const program = words[0]?.word ?? '';
    if (program === 'true' || program === ':') return 'T';
    if (program === 'false') return 'F';
    if (program !== '[' && program !== '[[' && program !== 'test') return 'U';
    const values: Value[] = [];
    for (const w of words.slice(1)) {
      const v = this.vars.valueOf(w.word);
      if (v !== '' || w.quoted) values.push(v);
    }
    return evalTest(values, program);
  }

  /** Whether the next pipeline of the and-or list runs, after `&&` / `||`. */
  private decide(): { run: boolean; guard: Guard | null } {
    const s = this.status;
    if (this.pending === null) return { run: true, guard: null };
    if (s === 'T' || s === 'F') return { run: (s === 'T') === (this.pending === '&&'), guard: null };
    if (s.choice === -1) s.choice = this.newChoice(s.what, ['true', 'false']);
    if (s.choice < 0) return { run: true, guard: null };
    return { run: true, guard: { choice: s.choice, alt: this.pending === '&&' ? 0 : 1 } };
  }

  private command(words: Word[], op: string): void {
    const f = this.top();
    const negate = this.negate;
    this.negate = false;
    if (f?.kind === 'if' && f.phase === 'cond') {
      f.cond.push({ words, op, negate });
      if (f.outerActive && !f.taken) this.run(words, f.outerGuards);
      return;
    }
    const ctx = this.context();
    const pending = this.pending;
    this.pipe ??= this.decide();
    const runs = ctx.active && this.pipe.run;
    const guard = this.pipe.guard;
    if (runs) this.run(words, guard ? [...ctx.guards, guard] : ctx.guards);
    if (!runs) return;
    const own = negate ? flip(this.statusOf(words)) : this.statusOf(words);
    const test = ['[', '[[', 'test'].includes(words[0]?.word ?? '');
    if (!test) this.status = guard && pending === '&&' ? this.status : 'T';
    else if (own !== 'U') this.status = own === 'F' ? 'F' : guard && pending === '&&' ? this.status : 'T';
    else this.status = { what: clip(words.map(show).join(' ')), choice: -1 };
  }

  /** A command that runs (under `guards`): assignments change the variables, others are kept. */
  private run(words: Word[], guards: readonly Guard[]): void {
    const first = words[0].word;
    if (ASSIGNING.has(first) || words.every((w) => isAssignment(w.word))) {
      for (const w of ASSIGNING.has(first) ? words.slice(1) : words) if (isAssignment(w.word)) this.assign(w, guards);
      return;
    }
    if (first === 'unset') for (const w of words.slice(1)) this.vars.set(w.word, null);
    const expanded: string[] = [];
    for (const w of words) {
      const v = w.word.includes('$') || w.word.includes('`') ? this.vars.valueOf(w.word) : w.word;
      if (v === UNKNOWN) expanded.push(w.word);
      else if (w.quoted || !/\s/.test(v)) {
        if (v !== '' || w.quoted) expanded.push(v);
      } else expanded.push(...v.split(/\s+/).filter(Boolean));
    }
    const cmd = commandFromWords(expanded, words.map(show).join(' '));
    if (cmd && !isHeredocOnly(cmd)) this.keep(cmd, guards);
  }

  private keep(cmd: ShellCommand, guards: readonly Guard[]): void {
    this.commands.push(cmd);
    this.guards.push(guards);
  }

  private assign(w: Word, guards: readonly Guard[]): void {
    const eq = w.word.indexOf('=');
    const name = w.word.slice(0, eq);
    const raw = w.word.slice(eq + 1);
    if (substitutionOf(raw)?.replace(/\s+/g, ' ').trim() === 'apt-mark showmanual') {
      const mark = `${MANUAL_MARK}${this.marks++}`;
      const cmd = commandFromWords(['apt-mark', 'showmanual', mark], w.word);
      if (cmd) this.keep(cmd, guards);
      this.vars.set(name, mark);
      return;
    }
    this.vars.set(name, guards.length ? UNKNOWN : this.vars.valueOf(raw));
  }
}

/** Text for the basis: at most 80 characters of it. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function isAssignment(w: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(w);
}

function show(w: Word): string {
  return w.quoted ? `"${w.word}"` : w.word;
}

/** A case pattern against the subject: a quoted pattern is literal. */
function globMatchWord(pattern: string, subject: string, quoted: boolean): boolean {
  return quoted ? pattern === subject : globMatch(pattern, subject);
}

/** Every command of the step as it runs unconditionally (exec form; text that does not read as a script). */
function flat(step: Step): Flow {
  return { commands: commandsOf(step), guards: null, choices: NONE, decided: NONE, unbounded: 0 };
}

const NONE: never[] = [];
Object.freeze(NONE);

const memo = new WeakMap<Step, { platform: string | null; flow: Flow }>();

/**
 * Text that a script reading could take differently from the plain command list: variables, substitutions,
 * redirections to descriptors, `||`, tests and the words of compound commands. Without any, the flow is every
 * command (shared with the rules' reading of the step).
 */
const SCRIPTY =
  /[$`!]|\|\||[<>]&|&>|>\||\[|\b(?:if|case|test|for|while|until|unset|export|readonly|declare|local|typeset|apt-mark)\b/;

/** Steps whose flow is every command (nothing kept for them but this mark: most RUNs are such). */
const plain = new WeakSet<Step>();

/** The commands a RUN step runs for a stage built for `platform` (FROM --platform; null: the default). */
export function flowOf(step: Step, platform: string | null): Flow {
  if (plain.has(step)) return flat(step);
  const hit = memo.get(step);
  if (hit && hit.platform === platform) return hit.flow;
  if (step.execForm || !SCRIPTY.test(step.command)) {
    plain.add(step);
    return flat(step);
  }
  const reader = new FlowReader(new ShellVars(step.vars, targetArch(platform)));
  const flow: Flow = reader.read(step.command)
    ? {
        commands: reader.commands,
        guards: reader.choices.length ? reader.guards : null,
        choices: reader.choices,
        decided: reader.decided,
        unbounded: reader.unbounded,
      }
    : flat(step);
  memo.set(step, { platform, flow });
  return flow;
}
