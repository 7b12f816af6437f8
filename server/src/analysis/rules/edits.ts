// Text edits that rules build their fixes from. Every edit touches only the instructions it rewrites: whole
// lines of those instructions, or an insertion at a precise point of them. Lines and columns are 1-based,
// columns in UTF-16 code units (JavaScript string indices), end exclusive; new lines use the file's EOL.

import type { DockerfileModel, Fix, Stage, Step, TextEdit } from '../model';
import type { ShellCommand } from '../shell';

/**
 * A fix whose title is known now and whose edits are built when first read (a fix that rewrites every RUN of a
 * stage is listed in a hover long before anyone applies it).
 */
export function lazyFix(fix: Omit<Fix, 'edits'>, edits: () => TextEdit[]): Fix {
  let value: TextEdit[] | undefined;
  const out = { title: fix.title } as Fix;
  Object.defineProperty(out, 'edits', { enumerable: true, configurable: true, get: () => (value ??= edits()) });
  if (fix.preferred !== undefined) out.preferred = fix.preferred;
  return out;
}

export function lineText(model: DockerfileModel, line: number): string {
  return model.lines[line - 1] ?? '';
}

export function insertAt(line: number, column: number, newText: string): TextEdit {
  return { startLine: line, startColumn: column, endLine: line, endColumn: column, newText };
}

/** Insert whole lines before `line` (they take its place; it moves down). */
export function insertLinesBefore(model: DockerfileModel, line: number, newLines: string[]): TextEdit {
  return insertAt(line, 1, newLines.map((l) => l + model.eol).join(''));
}

/** Insert whole lines after `line`, also when it is the file's last line without a terminator. */
export function insertLinesAfter(model: DockerfileModel, line: number, newLines: string[]): TextEdit {
  return insertAt(line, lineText(model, line).length + 1, newLines.map((l) => model.eol + l).join(''));
}

/** Replace lines `start..end` (inclusive, with their terminators) by `newLines`; [] deletes them. */
export function replaceLines(model: DockerfileModel, start: number, end: number, newLines: string[]): TextEdit {
  const last = model.lines.length;
  if (end < last) {
    return {
      startLine: start,
      startColumn: 1,
      endLine: end + 1,
      endColumn: 1,
      newText: newLines.map((l) => l + model.eol).join(''),
    };
  }
  // the range runs to the end of the file: take the terminator before it instead
  if (newLines.length === 0 && start > 1) {
    return {
      startLine: start - 1,
      startColumn: lineText(model, start - 1).length + 1,
      endLine: end,
      endColumn: lineText(model, end).length + 1,
      newText: '',
    };
  }
  return {
    startLine: start,
    startColumn: 1,
    endLine: end,
    endColumn: lineText(model, end).length + 1,
    newText: newLines.join(model.eol),
  };
}

/** The first line of the comment block directly above a step (no blank line between), or the step's line. */
export function attachedCommentStart(model: DockerfileModel, step: Step): number {
  const prev = model.steps[step.index - 1];
  const floor = prev ? prev.endLine + 1 : 1;
  let l = step.line;
  while (l - 1 >= floor && /^\s*#/.test(lineText(model, l - 1)) && !isDirectiveLine(model, l - 1)) l--;
  return l;
}

function isDirectiveLine(model: DockerfileModel, line: number): boolean {
  // parser directives sit at the very top, before any instruction or other comment
  if (model.steps.length && model.steps[0].line < line) return false;
  for (let l = 1; l <= line; l++) if (!/^\s*#\s*[A-Za-z]+\s*=/.test(lineText(model, l))) return false;
  return true;
}

/** The lines of a step with the comments attached above it, as written. */
export function blockLines(model: DockerfileModel, step: Step): string[] {
  return model.lines.slice(attachedCommentStart(model, step) - 1, step.endLine);
}

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

/** The keyword as the file writes it (upper or lower case), for instructions a fix adds. */
export function keywordCase(model: DockerfileModel, step: Step, keyword: string): string {
  const written = lineText(model, step.line).substr(step.column - 1, step.keyword.length);
  return written === written.toLowerCase() ? keyword.toLowerCase() : keyword;
}

/** The leading whitespace of a step's first line. */
export function indentOf(model: DockerfileModel, step: Step): string {
  return /^\s*/.exec(lineText(model, step.line))?.[0] ?? '';
}

/** Steps of a stage and of the stages it is built FROM, in build order (the base's first). */
export function stageChainSteps(model: DockerfileModel, stageIndex: number): Step[] {
  const chain: number[] = [];
  const seen = new Set<number>();
  for (let s: number | null = stageIndex; s !== null && !seen.has(s); s = model.stages[s]?.baseStage ?? null) {
    seen.add(s);
    chain.push(s);
  }
  const out: Step[] = [];
  for (let k = chain.length - 1; k >= 0; k--) for (const i of model.stages[chain[k]].steps) out.push(model.steps[i]);
  return out;
}

/**
 * The steps built before `step` in its stage and the stages it is built FROM, nearest first: what stageChainSteps
 * lists before it, reversed, read only as far as the caller goes (a chain of stages may be thousands long).
 */
export function* stepsBefore(model: DockerfileModel, step: Step): Generator<Step> {
  const seen = new Set<number>();
  let stage: Stage | undefined = model.stages[step.stage];
  let k = stage ? positionIn(stage.steps, step.index) - 1 : -1;
  while (stage && !seen.has(stage.index)) {
    seen.add(stage.index);
    for (; k >= 0; k--) yield model.steps[stage.steps[k]];
    stage = stage.baseStage !== null ? model.stages[stage.baseStage] : undefined;
    k = stage ? stage.steps.length - 1 : -1;
  }
}

/** Where `value` is in an ascending list (binary search); -1 when absent. */
function positionIn(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else if (list[mid] > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}
