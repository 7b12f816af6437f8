import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import {
  applyEdits,
  attachedCommentStart,
  blockLines,
  deleteStep,
  insertLinesAfter,
  insertLinesBefore,
  replaceLines,
  replaceStep,
} from '../../../server/src/analysis/rewrite/edits';

test('inserting after the last line of a file without a final newline keeps the old text and adds a line', () => {
  const text = 'FROM alpine\nRUN true';
  const m = parseDockerfile(text);
  assert.equal(applyEdits(text, [insertLinesAfter(m, 2, ['CMD ["sh"]'])]), 'FROM alpine\nRUN true\nCMD ["sh"]');
});

test('edits keep CRLF line endings and the text around them', () => {
  const text = 'FROM alpine\r\n# keep me\r\nRUN echo a\r\nCMD ["sh"]\r\n';
  const m = parseDockerfile(text);
  const out = applyEdits(text, [
    replaceStep(m, m.steps[1], ['RUN echo b', '# two lines now']),
    insertLinesBefore(m, 4, ['EXPOSE 80']),
    deleteStep(m, m.steps[2]),
  ]);
  assert.equal(out, 'FROM alpine\r\n# keep me\r\nRUN echo b\r\n# two lines now\r\nEXPOSE 80\r\n');
});

test('replaceLines replaces whole lines with their terminators; [] deletes them, also at the end of the file', () => {
  const text = 'FROM a\nRUN b\nRUN c';
  const m = parseDockerfile(text);
  assert.equal(applyEdits(text, [replaceLines(m, 2, 2, ['RUN x', 'RUN y'])]), 'FROM a\nRUN x\nRUN y\nRUN c');
  assert.equal(applyEdits(text, [replaceLines(m, 2, 2, [])]), 'FROM a\nRUN c');
  // the last line has no terminator: the one before it goes instead, and no empty line is left
  assert.equal(applyEdits(text, [replaceLines(m, 3, 3, [])]), 'FROM a\nRUN b');
  assert.equal(applyEdits(text, [deleteStep(m, m.steps[2])]), 'FROM a\nRUN b');
  assert.equal(applyEdits(text, [replaceLines(m, 1, 3, [])]), '');
});

test('a step block takes the comments directly above it, not those after a blank line or the parser directives', () => {
  const text = '# syntax=docker/dockerfile:1\nFROM a\n# loose\n\n# about b\n# more\nRUN b\n';
  const m = parseDockerfile(text);
  assert.equal(attachedCommentStart(m, m.steps[1]), 5);
  assert.deepEqual(blockLines(m, m.steps[1]), ['# about b', '# more', 'RUN b']);
  assert.equal(attachedCommentStart(m, m.steps[0]), 2);
});

test('insertions at one position appear in the order of the list, as an editor applies them', () => {
  const text = 'FROM a\n';
  const at = { startLine: 2, startColumn: 1, endLine: 2, endColumn: 1 };
  assert.equal(
    applyEdits(text, [
      { ...at, newText: 'RUN 1\n' },
      { ...at, newText: 'RUN 2\n' },
    ]),
    'FROM a\nRUN 1\nRUN 2\n',
  );
});

test('overlapping edits are refused rather than corrupting the file', () => {
  const text = 'FROM a\nRUN b\n';
  assert.throws(() =>
    applyEdits(text, [
      { startLine: 1, startColumn: 1, endLine: 2, endColumn: 2, newText: 'x' },
      { startLine: 2, startColumn: 1, endLine: 2, endColumn: 4, newText: 'y' },
    ]),
  );
});

test('an edit outside the text it was made for is refused, not clamped', () => {
  const text = 'FROM a\r\nRUN b\r\n';
  const edit = (startLine: number, startColumn: number, endLine = startLine, endColumn = startColumn) => [
    { startLine, startColumn, endLine, endColumn, newText: 'x' },
  ];
  assert.throws(() => applyEdits(text, edit(4, 1)), /line 4/);
  assert.throws(() => applyEdits(text, edit(1, 8)), /column 8/, 'past the end of line 1 (the CR is its terminator)');
  assert.throws(() => applyEdits(text, edit(1, 0)), /column 0/);
  assert.throws(() => applyEdits(text, edit(2, 3, 1, 1)), /ends before it starts/);
  assert.equal(applyEdits(text, edit(1, 7)), 'FROM ax\r\nRUN b\r\n');
  assert.equal(applyEdits(text, edit(3, 1)), 'FROM a\r\nRUN b\r\nx');
});

test('columns count UTF-16 code units: an edit after an emoji lands after it', () => {
  const text = 'LABEL x="🐳" \nFROM a\n';
  const col = 'LABEL x="🐳"'.length + 1;
  assert.equal(
    applyEdits(text, [{ startLine: 1, startColumn: col, endLine: 1, endColumn: col + 1, newText: '' }]),
    'LABEL x="🐳"\nFROM a\n',
  );
});
