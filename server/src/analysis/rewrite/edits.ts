// TextEdits over a parsed Dockerfile: the edits every fix is built from, and applying them as an editor does. Every
// edit touches only the instructions it rewrites (whole lines of them, or an insertion at a precise point), so what
// the user wrote elsewhere (comments, blank lines, spacing) stays as it was. Lines and columns are 1-based, columns
// in UTF-16 code units (JavaScript string indices), end exclusive; new lines use the file's EOL.

import type { DockerfileModel, Fix, Step, TextEdit } from '../model';

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

/** Insert whole lines after `line`, at its end: also when it is the file's last line, without a terminator. */
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

/** Removes a step (all of its lines, heredoc bodies included) with its line terminator. */
export function deleteStep(model: DockerfileModel, step: Step): TextEdit {
  return replaceLines(model, step.line, step.endLine, []);
}

/**
 * Replaces the text of a step (all of its lines, heredoc bodies included) by `newLines`. The edit ends where the
 * step's last line does, before its terminator, which stays as it is.
 */
export function replaceStep(model: DockerfileModel, step: Step, newLines: string[]): TextEdit {
  return {
    startLine: step.line,
    startColumn: 1,
    endLine: step.endLine,
    endColumn: lineText(model, step.endLine).length + 1,
    newText: newLines.join(model.eol),
  };
}

/** The lines of a step as written. */
export function stepText(model: DockerfileModel, step: Step): string[] {
  return model.lines.slice(step.line - 1, step.endLine);
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

/** The keyword as the file writes it (upper or lower case), for instructions a fix adds. */
export function keywordCase(model: DockerfileModel, step: Step, keyword: string): string {
  const written = lineText(model, step.line).substr(step.column - 1, step.keyword.length);
  return written === written.toLowerCase() ? keyword.toLowerCase() : keyword;
}

/** The leading whitespace of a step's first line. */
export function indentOf(model: DockerfileModel, step: Step): string {
  return /^\s*/.exec(lineText(model, step.line))?.[0] ?? '';
}

/**
 * Applies edits to a text as an editor applies a code action's (LSP): positions count lines ended by "\n", "\r\n"
 * or "\r", and insertions at one position appear in the order of the list. A position outside the text, an edit
 * that ends before it starts, or edits that overlap throw: such an edit is a bug to show, not to paper over.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const offset = (line: number, column: number): number => {
    if (line < 1 || line > starts.length) throw new Error(`edit line ${line} is outside the text`);
    const o = starts[line - 1] + column - 1;
    if (column < 1 || o > lineEnd(text, starts, line)) throw new Error(`edit column ${column} is outside line ${line}`);
    return o;
  };
  const ranges = edits.map((e, i) => {
    const start = offset(e.startLine, e.startColumn);
    const end = offset(e.endLine, e.endColumn);
    if (end < start) throw new Error(`edit at line ${e.startLine} ends before it starts`);
    return { text: e.newText, start, end, i };
  });
  // from the end of the text backwards; of two at one start, the longer first, and insertions last one first
  ranges.sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  let limit = Infinity;
  for (const r of ranges) {
    if (r.end > limit) throw new Error(`overlapping edits at offset ${r.start}`);
    out = out.slice(0, r.start) + r.text + out.slice(r.end);
    limit = r.start;
  }
  return out;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') starts.push(i + 1);
    else if (text[i] === '\r' && text[i + 1] !== '\n') starts.push(i + 1);
  }
  return starts;
}

/** The offset where line `line` (1-based) ends, before its terminator. */
function lineEnd(text: string, starts: readonly number[], line: number): number {
  if (line >= starts.length) return text.length;
  const next = starts[line];
  return text[next - 1] === '\n' && text[next - 2] === '\r' ? next - 2 : next - 1;
}
