import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { applyEdits, deleteStep, insertLinesAfter, replaceStep } from '../../../server/src/analysis/rewrite/edits';

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
    insertLinesAfter(m, 3, ['EXPOSE 80']),
    deleteStep(m, m.steps[2]),
  ]);
  assert.equal(out, 'FROM alpine\r\n# keep me\r\nRUN echo b\r\n# two lines now\r\nEXPOSE 80\r\n');
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

test('columns count UTF-16 code units: an edit after an emoji lands after it', () => {
  const text = 'LABEL x="🐳" \nFROM a\n';
  const col = 'LABEL x="🐳"'.length + 1;
  assert.equal(
    applyEdits(text, [{ startLine: 1, startColumn: col, endLine: 1, endColumn: col + 1, newText: '' }]),
    'LABEL x="🐳"\nFROM a\n',
  );
});
