// A small reader for the shell text of RUN steps: splits it into simple commands (on &&, ||, ;, |, &, newlines
// and subshell parentheses) and each command into words, so rules and estimators can ask "does this step run
// `apt-get install`, and with which arguments?". It does not evaluate anything: variables stay as written.

import type { Step } from './model';

export interface ShellCommand {
  /** Words with quotes removed; leading `VAR=value` assignments, `sudo`, `env`, `exec`, `command` dropped. */
  readonly words: readonly string[];
  /** The command's text as written (trimmed). */
  readonly text: string;
  /** The program name without its path (`/usr/bin/apt-get` -> `apt-get`); '' when there is none. */
  readonly program: string;
  /** The first non-option argument after the program (`install` in `apt-get -y install curl`), or null. */
  readonly subcommand: string | null;
}

const EMPTY: readonly ShellCommand[] = Object.freeze([]);
const byStep = new WeakMap<Step, readonly ShellCommand[]>();
/**
 * The commands of a shell text, shared by every step (in this and later versions of any document) whose RUN has
 * that text: an edit re-reads only the instructions it changed. Entries are immutable; the table is emptied when it
 * grows past MAX_MEMO texts, so it stays bounded whatever is opened.
 */
const byText = new Map<string, readonly ShellCommand[]>();
const MAX_MEMO = 20_000;
/** And at most this many characters of text as keys (a long RUN edited many times must not pile up copies of it). */
const MAX_MEMO_CHARS = 16 * 1024 * 1024;
let memoChars = 0;

/** The simple commands a RUN step executes (heredoc bodies included); [] for other instructions. */
export function commandsOf(step: Step): readonly ShellCommand[] {
  if (step.keyword !== 'RUN') return EMPTY;
  let cmds = byStep.get(step);
  if (cmds) return cmds;
  const key = step.execForm
    ? `\u0000${JSON.stringify(step.words)}`
    : step.heredocs.length
      ? `\u0001${step.command}`
      : step.command;
  cmds = byText.get(key);
  if (!cmds) {
    let list = step.execForm ? [shellCommand(step.words.slice(), step.words.join(' '))] : splitCommands(step.command);
    // `RUN <<EOF` leaves a command made only of the heredoc redirection; the body's commands follow it
    if (step.heredocs.length) list = list.filter((c) => !isHeredocOnly(c));
    cmds = Object.freeze(list);
    if (byText.size >= MAX_MEMO || memoChars + key.length > MAX_MEMO_CHARS) {
      byText.clear();
      memoChars = 0;
    }
    byText.set(key, cmds);
    memoChars += key.length;
  }
  byStep.set(step, cmds);
  return cmds;
}

/** A command made only of heredoc redirections (`<<EOF`): what `RUN <<EOF` leaves before the body's commands. */
export function isHeredocOnly(cmd: ShellCommand): boolean {
  return cmd.words.every((w) => /^<<-?["']?[A-Za-z_]/.test(w));
}

/**
 * The simple command that `words` run (leading `VAR=value` assignments, `sudo`, `env` and such dropped, as in
 * splitCommands), with `text` as its text; null when no command is left.
 */
export function commandFromWords(words: string[], text: string): ShellCommand | null {
  const w = stripPrefixes(words);
  return w.length ? shellCommand(w, text) : null;
}

/** A command made of `words` (already split, quotes removed); `text` is what it was read from. */
export function shellCommand(words: string[], text: string): ShellCommand {
  const w = words[0] ?? '';
  let subcommand: string | null = null;
  for (let i = 1; i < words.length; i++) {
    if (!words[i].startsWith('-')) {
      subcommand = words[i];
      break;
    }
  }
  return Object.freeze({ words: Object.freeze(words), text, program: w.slice(w.lastIndexOf('/') + 1), subcommand });
}

/**
 * Splits shell text into simple commands: only commands that run a program. The shell's own syntax is read, not
 * taken for programs: keywords (`if`/`then`/`elif`/`else`/`fi`, `for ... in ...`/`do`/`done`, `while`, `until`,
 * `case ... in`/`esac` and its patterns such as `armhf)` or `fix*|beta)`), function definitions (`name() {`),
 * leading assignments and redirections. A command substitution's commands are commands of their own, and the words
 * after it belong to the command around it (`test $(ls | wc -l) -eq 6` is `test`, `ls`, `wc`). Bounded: one pass
 * over the tokens with explicit stacks, no recursion.
 */
export function splitCommands(text: string): ShellCommand[] {
  const r = new CommandSplitter(text);
  scanShell(
    text,
    false,
    (w) => r.word(w),
    (op, at) => r.op(op, at),
  );
  r.end(text.length);
  return r.out;
}

/** What an open parenthesis is: a command substitution `$(` (with the command it interrupts), a group, `$((`. */
interface Paren {
  kind: 'subst' | 'group' | 'arith';
  outer?: { words: string[]; start: number };
}

/** An open `case`: reading its patterns (up to `)`) or a branch's commands; `depth`: parentheses open at `case`. */
interface OpenCase {
  reading: 'pattern' | 'body';
  depth: number;
}

/** The state of splitCommands over scanShell's words and operators. */
class CommandSplitter {
  readonly out: ShellCommand[] = [];
  private words: string[] = [];
  private start = 0;
  private readonly parens: Paren[] = [];
  private readonly cases: OpenCase[] = [];
  private lastOpenAt = -2;
  /** Functions the text defines: a call runs their body, whose commands are listed where it is written. */
  private readonly functions = new Set<string>();

  constructor(private readonly text: string) {}

  word(w: string): void {
    this.words.push(w);
  }

  op(op: string, at: number): void {
    if (op === '(') return this.open(at);
    if (op === ')') return this.close(at);
    this.end(at);
    this.start = at + op.length;
    const top = this.cases[this.cases.length - 1];
    // `;;` (and `;&`, `;;&`) ends a branch: patterns follow
    if (op.startsWith(';;') || op === ';&') if (top && top.reading === 'body') top.reading = 'pattern';
  }

  private open(at: number): void {
    // `case x in (a)`: the header ends here
    if (this.words[this.words.length - 1] === 'in' && isCaseHeader(this.words)) this.end(at);
    const prev = this.parens[this.parens.length - 1];
    const last = this.words[this.words.length - 1];
    const top = this.cases[this.cases.length - 1];
    if (prev?.kind === 'subst' && this.words.length === 0 && at === this.lastOpenAt + 1) {
      this.parens.push({ kind: 'arith' }); // `$((`: arithmetic, no commands in it
    } else if (last !== undefined && last.endsWith('$')) {
      this.parens.push({ kind: 'subst', outer: { words: this.words, start: this.start } });
      this.words = [];
    } else if (this.words.length === 1 && /^\s*\)/.test(this.text.slice(at + 1, at + 64))) {
      this.functions.add(this.words[0]); // `name() {`: a function's name, not a program
      this.words = [];
      this.parens.push({ kind: 'group' });
    } else if (top?.reading === 'pattern' && this.words.length === 0 && this.parens.length === top.depth) {
      // `(armhf)`: the optional parenthesis before a case pattern opens nothing
    } else {
      this.end(at);
      this.parens.push({ kind: 'group' });
    }
    this.lastOpenAt = at;
    this.start = at + 1;
  }

  private close(at: number): void {
    if (isCaseHeader(this.words)) {
      // `case WORD in armhf)`: the header and a first pattern on one line
      this.cases.push({ reading: 'body', depth: this.parens.length });
      this.words = [];
      this.start = at + 1;
      return;
    }
    const top = this.cases[this.cases.length - 1];
    if (top?.reading === 'pattern' && this.parens.length === top.depth) {
      // the end of a case pattern (`armhf)`): its words are no command
      top.reading = 'body';
      this.words = [];
      this.start = at + 1;
      return;
    }
    this.end(at);
    const p = this.parens.pop();
    if (p?.kind === 'subst' && p.outer) {
      // the words after `$(...)` belong to the command the substitution is in
      this.words = p.outer.words;
      this.words[this.words.length - 1] += '(...)';
      this.start = p.outer.start;
    } else this.start = at + 1;
  }

  /** Ends the command read so far at `end`. */
  end(end: number): void {
    const words = this.words;
    this.words = [];
    if (words.length === 0 || this.parens[this.parens.length - 1]?.kind === 'arith') return;
    const top = this.cases[this.cases.length - 1];
    if (top?.reading === 'pattern') {
      // pattern words (`fix*` before `|`), or the `esac` that closes the case
      if (words[0] === 'esac') this.cases.pop();
      return;
    }
    const w = stripPrefixes(words);
    if (w.length === 0) return;
    const head = w[0];
    if (head === 'case') {
      // `case WORD in`, or with a first pattern before `|`: patterns follow up to `)`
      this.cases.push({ reading: 'pattern', depth: this.parens.length });
      return;
    }
    if (head === 'esac') {
      this.cases.pop();
      return;
    }
    if (head === 'function' && w.length > 1) this.functions.add(w[1]);
    if (SYNTAX_ONLY.has(head) || this.functions.has(head)) return;
    this.out.push(shellCommand(w, this.text.slice(this.start, end).trim()));
  }
}

/** Whether the words read so far start a `case` (after keywords such as `then`): cheap, no copy of the words. */
function isCaseHeader(words: readonly string[]): boolean {
  for (const w of words) {
    if (w === 'case') return true;
    if (!KEYWORD_PREFIXES.has(w)) return false;
  }
  return false;
}

/** Commands that are the shell's own syntax: a `for`/`select` header, the end of a block, a function's keyword. */
const SYNTAX_ONLY = new Set(['for', 'select', 'fi', 'done', '}', 'function', 'in']);

/** A word (quotes removed) or an operator of shell text. */
export type ShellToken =
  | { op: null; word: string; /** Some part of it was quoted. */ quoted: boolean }
  | { op: string; /** Where it starts in the text. */ at: number };

/** The words and operators of shell text, in order (see scanShell). */
export function shellTokens(text: string, script = false): ShellToken[] {
  const out: ShellToken[] = [];
  scanShell(
    text,
    script,
    (word, quoted) => out.push({ op: null, word, quoted }),
    (op, at) => out.push({ op, at }),
  );
  return out;
}

/**
 * Reads shell text into words (quotes removed; `quoted`: some part was quoted) and operators (`&&`, `||`, `;`, `;;`,
 * `|`, `&`, a newline, `(`, `)`, `{`, `}`, with where they start), in order; comments and line continuations dropped.
 * `script`: read it as a script is run: command substitutions (`$(...)`, backquotes) and redirections to descriptors
 * (`>&2`, `2>&1`, `&>file`) stay inside their word instead of splitting it.
 */
export function scanShell(
  text: string,
  script: boolean,
  onWord: (word: string, quoted: boolean) => void,
  onOp: (op: string, at: number) => void,
): void {
  let word = '';
  let hasWord = false;
  let quoted = false;
  let quote: '"' | "'" | null = null;
  const endWord = () => {
    if (hasWord) onWord(word, quoted);
    word = '';
    hasWord = false;
    quoted = false;
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < n) word += text[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      hasWord = true;
      quoted = true;
    } else if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < n) {
        word += text[++i];
        hasWord = true;
      }
    } else if (c === '#' && !hasWord) {
      // a comment runs to the end of the line
      while (i + 1 < n && text[i + 1] !== '\n') i++;
    } else if (script && ((c === '$' && text[i + 1] === '(') || c === '`')) {
      const end = c === '`' ? closingQuote(text, i + 1, '`') : closingParen(text, i + 2);
      word += text.slice(i, end + 1);
      hasWord = true;
      i = end;
    } else if (isRedirection(c, word, hasWord, text[i + 1])) {
      // part of a redirection (`2>&1`, `&>log`, `>|`), not a separator, in both readings
      word += c;
      hasWord = true;
    } else if (isOperator(c, hasWord, text[i + 1])) {
      endWord();
      let end = i + 1;
      if (c === '&' || c === '|') while (end < n && (text[end] === '&' || text[end] === '|')) end++;
      else if (c === ';') while (end < n && end < i + 3 && (text[end] === ';' || text[end] === '&')) end++;
      onOp(text.slice(i, end), i);
      i = end - 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else {
      word += c;
      hasWord = true;
    }
  }
  endWord();
}

function isOperator(c: string, hasWord: boolean, next: string | undefined): boolean {
  return (
    c === '&' ||
    c === '|' ||
    c === ';' ||
    c === '\n' ||
    c === '(' ||
    c === ')' ||
    (c === '{' && !hasWord && next === ' ') ||
    (c === '}' && !hasWord)
  );
}

/** `&` or `|` that belongs to a redirection: `>&2`, `2>&1`, `<&0`, `&>file`, `>|file`. */
function isRedirection(c: string, word: string, hasWord: boolean, next: string | undefined): boolean {
  if (c === '&') return (hasWord && /[<>]$/.test(word)) || next === '>';
  return c === '|' && hasWord && word.endsWith('>');
}

/** Index of the `)` closing a `$(` whose contents start at `from` (quotes inside skipped); the last index if none. */
function closingParen(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = closingQuote(text, i + 1, c);
    else if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length - 1;
}

/** Index of the next unescaped `q` from `from`; the last index if none. */
function closingQuote(text: string, from: number, q: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\' && q !== "'") i++;
    else if (text[i] === q) return i;
  }
  return text.length - 1;
}

/** Commands that run the command after them, and their options that take a value (`sudo -u user cmd`). */
const PREFIX_COMMANDS = new Map<string, readonly string[]>([
  ['sudo', ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U', '--user', '--group', '--chdir', '--host']],
  ['env', ['-u', '-C', '-S', '--unset', '--chdir', '--split-string']],
  ['exec', ['-a']],
  ['command', []],
  ['time', ['-f', '-o', '--format', '--output']],
  ['nice', ['-n', '--adjustment']],
  ['nohup', []],
]);

/** Keywords after which a command starts (`then apt-get ...`, `if grep ...`, `! test ...`). */
const KEYWORD_PREFIXES = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{']);

/** A redirection word: `>`, `>>`, `2>`, `&>`, `<`, `<<<`, `>|`, with or without its target (`>/dev/null`, `2>&1`). */
const REDIRECTION = /^\d*(?:>>?|<<<|<>|<(?!<)|&>>?|>\|)/;
/** A redirection operator whose target is the next word. */
const BARE_REDIRECTION = /^\d*(?:>>?|<<<|<>|<|&>>?|>\||>&|<&)$/;

/**
 * The words of a command from its program on: leading assignments (`X=1`), keywords (`then`, `if`), prefix commands
 * (`sudo -u user`, `env -i`, `nice -n 5`) dropped; leading redirections (`>/dev/null cmd`, `2> log cmd`) moved after
 * the arguments. `command -v x` and `command -V x` only ask about x: `command` stays the program.
 */
function stripPrefixes(words: string[]): string[] {
  const moved: string[] = [];
  let i = 0;
  let valued: readonly string[] | null = null;
  while (i < words.length) {
    const w = words[i];
    const prefix = PREFIX_COMMANDS.get(w);
    if (w === 'command' && /^-[vV]$/.test(words[i + 1] ?? '')) break;
    if (REDIRECTION.test(w)) {
      moved.push(w);
      if (BARE_REDIRECTION.test(w) && i + 1 < words.length) moved.push(words[++i]);
      i++;
    } else if (prefix) {
      valued = prefix;
      i++;
    } else if (valued && w.startsWith('-')) {
      i += valued.includes(w) ? 2 : 1;
    } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || KEYWORD_PREFIXES.has(w)) {
      valued = null;
      i++;
    } else break;
  }
  if (i === 0) return words;
  const rest = words.slice(i);
  return rest.length ? rest.concat(moved) : rest;
}

/** The program name of a command, without its path: `/usr/bin/apt-get` -> `apt-get`. */
export function programOf(cmd: ShellCommand): string {
  return cmd.program;
}

/**
 * The commands whose program is one of `programs` and whose first non-option argument is one of
 * `subcommands` (when given). `apt-get -y install curl` matches ('apt-get', ['install']).
 */
export function findCommands(
  cmds: readonly ShellCommand[],
  programs: readonly string[],
  subcommands?: readonly string[],
): ShellCommand[] {
  return cmds.filter((c) => isCommand(c, programs, subcommands));
}

/** Whether `cmd` runs one of `programs` (with one of `subcommands`, when given). */
export function isCommand(cmd: ShellCommand, programs: readonly string[], subcommands?: readonly string[]): boolean {
  if (!programs.includes(cmd.program)) return false;
  return !subcommands || (cmd.subcommand !== null && subcommands.includes(cmd.subcommand));
}

/** Non-option arguments after the subcommand: the package names of `apt-get install -y curl git`. */
export function operands(cmd: ShellCommand, afterSubcommand = true): string[] {
  const args = cmd.words.slice(1);
  let seenSub = !afterSubcommand;
  const out: string[] = [];
  for (const a of args) {
    if (a.startsWith('-')) continue;
    if (!seenSub) {
      seenSub = true;
      continue;
    }
    out.push(a);
  }
  return out;
}

export function hasOption(cmd: ShellCommand, ...names: string[]): boolean {
  return cmd.words.some((w) => names.some((n) => w === n || w.startsWith(n + '=')));
}

/**
 * The value of an option that takes one: `-o out`, `-o=out`, `--output out`, `--output=out`, and for
 * single-letter options also the attached form `-oout`. The last occurrence wins; null when absent.
 */
export function optionValue(cmd: ShellCommand, ...names: string[]): string | null {
  let value: string | null = null;
  const w = cmd.words;
  for (let i = 1; i < w.length; i++) {
    for (const n of names) {
      if (w[i] === n && i + 1 < w.length) value = w[i + 1];
      else if (w[i].startsWith(n + '=')) value = w[i].slice(n.length + 1);
      else if (/^-[A-Za-z]$/.test(n) && w[i].startsWith(n) && w[i].length > 2 && !w[i].startsWith('--'))
        value = w[i].slice(2);
    }
  }
  return value;
}

/** The first non-option argument after the program (the subcommand: `build` in `go build -o x`). */
export function subcommandOf(cmd: ShellCommand): string | null {
  return cmd.subcommand;
}
