// Building and applying TextEdits (1-based lines and columns, end exclusive, UTF-16 columns) over a parsed
// Dockerfile. Rewrites replace whole instructions or insert whole lines, so everything the user wrote outside
// the rewritten parts (comments, blank lines, spacing) stays as it was, and new text uses the file's EOL.

import type { DockerfileModel, Step, TextEdit } from '../model';

/** Replaces the whole of lines `first`..`last` (1-based, inclusive), keeping their line terminator. */
export function replaceLines(model: DockerfileModel, first: number, last: number, lines: string[]): TextEdit {
  const lastText = model.lines[last - 1] ?? '';
  return {
    startLine: first,
    startColumn: 1,
    endLine: last,
    endColumn: lastText.length + 1,
    newText: lines.join(model.eol),
  };
}

/** Replaces a step's text (all of its lines, heredoc bodies included). */
export function replaceStep(model: DockerfileModel, step: Step, lines: string[]): TextEdit {
  return replaceLines(model, step.line, step.endLine, lines);
}

/** Removes a step together with its line terminator. */
export function deleteStep(model: DockerfileModel, step: Step): TextEdit {
  const next = step.endLine + 1;
  if (next <= model.lines.length)
    return { startLine: step.line, startColumn: 1, endLine: next, endColumn: 1, newText: '' };
  // the last line of the file: remove the terminator before it instead
  const prev = step.line - 1;
  const prevLen = (model.lines[prev - 1] ?? '').length;
  const lastLen = (model.lines[step.endLine - 1] ?? '').length;
  return prev >= 1
    ? { startLine: prev, startColumn: prevLen + 1, endLine: step.endLine, endColumn: lastLen + 1, newText: '' }
    : { startLine: step.line, startColumn: 1, endLine: step.endLine, endColumn: lastLen + 1, newText: '' };
}

/** Inserts whole lines after line `after` (0 = at the top), each ended with the file's EOL. */
export function insertLinesAfter(model: DockerfileModel, after: number, lines: string[]): TextEdit {
  const eol = model.eol;
  const count = model.lines.length;
  if (after < count) {
    return {
      startLine: after + 1,
      startColumn: 1,
      endLine: after + 1,
      endColumn: 1,
      newText: lines.map((l) => l + eol).join(''),
    };
  }
  // after the last line, which has no terminator
  const lastText = model.lines[count - 1] ?? '';
  return {
    startLine: count,
    startColumn: lastText.length + 1,
    endLine: count,
    endColumn: lastText.length + 1,
    newText: eol + lines.join(eol),
  };
}

/** The text of a step as written (its lines joined with the file's EOL). */
export function stepText(model: DockerfileModel, step: Step): string[] {
  return model.lines.slice(step.line - 1, step.endLine);
}

/** Applies non-overlapping edits to a text (what an editor does with a code action's edits). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const offset = (line: number, col: number): number => {
    const base = line - 1 < starts.length ? starts[line - 1] : text.length;
    return Math.min(base + col - 1, text.length);
  };
  const sorted = edits
    .map((e) => ({ e, start: offset(e.startLine, e.startColumn), end: offset(e.endLine, e.endColumn) }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const { e, start, end } of sorted) {
    if (end > limit) throw new Error(`overlapping edits at line ${e.startLine}`);
    out = out.slice(0, start) + e.newText + out.slice(end);
    limit = start;
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
