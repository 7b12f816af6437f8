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
    if (step.heredocs.length) list = list.filter((c) => !c.words.every((w) => /^<<-?["']?[A-Za-z_]/.test(w)));
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

/** Splits shell text into simple commands. */
export function splitCommands(text: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  let words: string[] = [];
  let word = '';
  let hasWord = false;
  let start = 0;
  let quote: '"' | "'" | null = null;
  const endWord = () => {
    if (hasWord) words.push(word);
    word = '';
    hasWord = false;
  };
  const endCommand = (end: number) => {
    endWord();
    const cmdWords = stripPrefixes(words);
    if (cmdWords.length) out.push(shellCommand(cmdWords, text.slice(start, end).trim()));
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      hasWord = true;
    } else if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) {
        word += text[++i];
        hasWord = true;
      }
    } else if (c === '#' && !hasWord) {
      // a comment runs to the end of the line
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (
      c === '&' &&
      (text[i - 1] === '>' || text[i - 1] === '<' || (text[i + 1] === '>' && text[i - 1] !== '&'))
    ) {
      // part of a redirection (`2>&1`, `&>log`), not a separator
      word += c;
      hasWord = true;
    } else if (
      c === '&' ||
      c === '|' ||
      c === ';' ||
      c === '\n' ||
      c === '(' ||
      c === ')' ||
      (c === '{' && !hasWord && text[i + 1] === ' ') ||
      (c === '}' && !hasWord)
    ) {
      endCommand(i);
      while (i + 1 < text.length && '&|'.includes(text[i + 1]) && (c === '&' || c === '|')) i++;
      start = i + 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else {
      word += c;
      hasWord = true;
    }
  }
  endCommand(text.length);
  return out;
}

const PREFIX_COMMANDS = new Set(['sudo', 'env', 'exec', 'command', 'time', 'nice', 'nohup', 'then', 'do', 'else', '!']);

function stripPrefixes(words: string[]): string[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || PREFIX_COMMANDS.has(w) || (words[i - 1] === 'sudo' && w.startsWith('-')))
      i++;
    else break;
  }
  // `if`, `while` and friends: the command is what follows the keyword
  if (['if', 'while', 'until'].includes(words[i])) i++;
  return words.slice(i);
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
