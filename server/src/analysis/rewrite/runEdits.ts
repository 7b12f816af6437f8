// Edits inside the shell text of a RUN: where its command starts, where a pattern matches in it (heredoc bodies
// included), an option added after a subcommand, shell text appended to what it runs. Lines and columns as in
// edits.ts (1-based, UTF-16 columns, end exclusive).

import type { DockerfileModel, Fix, Step, TextEdit } from '../model';
import type { ShellCommand } from '../shell';
import { insertAt, lineText } from './edits';

/** Where the shell command of a RUN starts on its first line (after the keyword and flags); null if elsewhere. */
export function commandStart(model: DockerfileModel, step: Step): { line: number; column: number } | null {
  const text = lineText(model, step.line);
  let i = step.column - 1 + step.keyword.length;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skipSpace();
  while (text.startsWith('--', i)) {
    while (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
      if (text[i] === '"' || text[i] === "'") {
        const close = text.indexOf(text[i], i + 1);
        i = close < 0 ? text.length : close;
      }
      i++;
    }
    skipSpace();
  }
  const rest = text.slice(i).trim();
  if (rest === '' || rest === model.directives.escape || rest.startsWith('[') || rest.startsWith('<<')) return null;
  return { line: step.line, column: i + 1 };
}

/**
 * The fix that adds `option` right after the subcommand of each command in `commands` that `lacks` it: the commands
 * are the step's matches of `pattern` in order (no fix when the text and the commands do not line up).
 */
export function addOptionFix(
  model: DockerfileModel,
  step: Step,
  commands: readonly ShellCommand[],
  pattern: RegExp | TextPattern,
  option: string,
  lacks: (c: ShellCommand) => boolean,
): Fix[] {
  const at = findInStep(model, step, pattern);
  if (step.execForm || at.length !== commands.length) return [];
  const edits: TextEdit[] = [];
  commands.forEach((c, k) => {
    if (lacks(c)) edits.push(insertAt(at[k].endLine, at[k].endColumn, ` ${option}`));
  });
  return [{ title: `Add ${option}`, preferred: true, edits }];
}

/**
 * Edits that delete each match of `re` (global) in the step's text, e.g. a redundant `apk update && ` before a
 * command that no longer needs it. Empty when the number of matches is not `expected` (text and commands disagree).
 */
export function deleteInStep(model: DockerfileModel, step: Step, re: RegExp, expected: number): TextEdit[] {
  const at = findInStep(model, step, re);
  if (at.length !== expected) return [];
  return at.map((m) => ({
    startLine: m.line,
    startColumn: m.column,
    endLine: m.endLine,
    endColumn: m.endColumn,
    newText: '',
  }));
}

/** Something that finds its matches in a text, in order and without overlap (as a global RegExp does). */
export interface TextPattern {
  matches(text: string): { index: number; length: number }[];
}

/** Positions (1-based) where `re` (global) matches in the step's raw text, heredoc bodies included. */
export function findInStep(
  model: DockerfileModel,
  step: Step,
  re: RegExp | TextPattern,
): { line: number; column: number; endLine: number; endColumn: number; text: string }[] {
  const lines = model.lines.slice(step.line - 1, step.endLine);
  const text = lines.join('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  // offsets are asked in increasing order: the line index only moves forward (linear in the step's text)
  let k = 0;
  const pos = (o: number) => {
    while (k + 1 < starts.length && starts[k + 1] <= o) k++;
    return { line: step.line + k, column: o - starts[k] + 1 };
  };
  const out: { line: number; column: number; endLine: number; endColumn: number; text: string }[] = [];
  for (const m of re instanceof RegExp ? regExpMatches(re, text) : re.matches(text)) {
    const a = pos(m.index);
    const b = pos(m.index + m.length);
    out.push({
      line: a.line,
      column: a.column,
      endLine: b.line,
      endColumn: b.column,
      text: text.slice(m.index, m.index + m.length),
    });
  }
  return out;
}

/** The non-empty matches of `re` in `text`, in order. */
function regExpMatches(re: RegExp, text: string): { index: number; length: number }[] {
  const out: { index: number; length: number }[] = [];
  const g = re.flags.includes('g') ? re : new RegExp(re.source, re.flags + 'g');
  g.lastIndex = 0;
  for (let m = g.exec(text); m; m = g.exec(text)) {
    if (m[0] === '') {
      g.lastIndex++;
      continue;
    }
    out.push({ index: m.index, length: m[0].length });
  }
  g.lastIndex = 0;
  return out;
}

/**
 * `<program> ... <subcommand>` within one simple command of raw RUN text: options and continuation lines may sit
 * between them, command separators (`&`, `|`, `;`, a newline) may not; a backslash escapes the next character.
 * `program` and `subcommand` are pattern sources written in the rules (`pip[0-9.]*`), never text from a Dockerfile.
 * Matched in one pass: as one RegExp (`program(?:[^&|;\n\\]|\\.)*?subcommand`) every occurrence of the program would
 * scan on to the end of its command, which is quadratic on a long line that repeats it.
 */
export function subcommandPattern(program: string, subcommand: string): TextPattern {
  const key = `${program} ${subcommand}`;
  let p = patterns.get(key);
  if (!p) patterns.set(key, (p = new SubcommandPattern(program, subcommand)));
  return p;
}

const patterns = new Map<string, TextPattern>();

class SubcommandPattern implements TextPattern {
  private readonly program: RegExp;
  private readonly subcommand: RegExp;
  constructor(program: string, subcommand: string) {
    this.program = new RegExp(`(?<![\\w.-])${program}(?![\\w-])`, 'g');
    this.subcommand = new RegExp(`(?<![\\w-])${subcommand}(?![\\w-])`, 'y');
  }

  matches(text: string): { index: number; length: number }[] {
    const out: { index: number; length: number }[] = [];
    const n = text.length;
    let from = 0;
    while (from < n) {
      this.program.lastIndex = from;
      const m = this.program.exec(text);
      if (!m) break;
      let k = m.index + m[0].length;
      let end = -1;
      for (;;) {
        this.subcommand.lastIndex = k;
        const sub = this.subcommand.exec(text);
        if (sub) {
          end = k + sub[0].length;
          break;
        }
        const c = text[k];
        if (k >= n || c === '&' || c === '|' || c === ';' || c === '\n' || (c === '\\' && k + 1 >= n)) break;
        k += c === '\\' ? 2 : 1;
      }
      if (end >= 0) {
        out.push({ index: m.index, length: end - m.index });
        from = end;
      } else {
        // the command ends without the subcommand: a later occurrence of the program in it would end the same way
        from = Math.max(k, m.index + 1);
      }
    }
    this.program.lastIndex = 0;
    return out;
  }
}

/**
 * Appends shell text to what a RUN executes: `&& <text>` at the end of a shell-form RUN, or a line before the
 * terminator of a shell-script heredoc (`RUN <<EOF`). Null where that cannot be done safely.
 */
export function appendToRun(model: DockerfileModel, step: Step, shellText: string): TextEdit | null {
  if (step.keyword !== 'RUN' || step.execForm) return null;
  if (step.heredocs.length) {
    const rest = step.args.replace(/^(--\S+\s+)*/, '').trim();
    if (step.heredocs.length !== 1 || !/^<<-?["']?[A-Za-z_][\w.-]*["']?$/.test(rest)) return null;
    const h = step.heredocs[0];
    const indent = h.stripTabs ? '\t' : '';
    return insertAt(h.endLine, 1, indent + shellText + model.eol);
  }
  const last = lineText(model, step.endLine);
  const trimmed = last.trimEnd();
  if (
    trimmed === '' ||
    trimmed.endsWith(model.directives.escape) ||
    /(&&|\|\||\||&)$/.test(trimmed) ||
    /^\s*#/.test(trimmed)
  )
    return null;
  const joiner = trimmed.endsWith(';') ? ' ' : ' && ';
  return insertAt(step.endLine, trimmed.length + 1, joiner + shellText);
}
