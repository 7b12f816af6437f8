import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';
import {
  appendToRun,
  commandStart,
  findInStep,
  subcommandPattern,
} from '../../../server/src/analysis/rewrite/runEdits';

test('commandStart: after the keyword and its flags (quoted values with spaces included); none for exec form', () => {
  const m = parseDockerfile('FROM a\nRUN --mount=type=cache,target="/a b"  apt-get install x\nRUN ["sh", "-c", "x"]\n');
  assert.deepEqual(commandStart(m, m.steps[1]), {
    line: 2,
    column: 'RUN --mount=type=cache,target="/a b"  '.length + 1,
  });
  assert.equal(commandStart(m, m.steps[2]), null);
});

test('a subcommand pattern spans options and continuation lines, not a command separator', () => {
  const m = parseDockerfile('FROM a\nRUN pip \\\n  --quiet install x && pip freeze; install y\n');
  const found = findInStep(m, m.steps[1], subcommandPattern('pip[0-9.]*', 'install'));
  assert.deepEqual(
    found.map(({ line, column, endLine, endColumn }) => ({ line, column, endLine, endColumn })),
    [{ line: 2, column: 5, endLine: 3, endColumn: '  --quiet install'.length + 1 }],
  );
});

test('appendToRun: "&& text" after a shell-form RUN, a line in a script heredoc, nothing after a dangling &&', () => {
  const text = 'FROM a\nRUN make\nRUN <<EOF\nmake\nEOF\nRUN make &&\n';
  const m = parseDockerfile(text);
  const a = appendToRun(m, m.steps[1], 'rm -rf /tmp/x');
  const b = appendToRun(m, m.steps[2], 'rm -rf /tmp/x');
  assert.ok(a && b);
  assert.equal(
    applyEdits(text, [a, b]),
    'FROM a\nRUN make && rm -rf /tmp/x\nRUN <<EOF\nmake\nrm -rf /tmp/x\nEOF\nRUN make &&\n',
  );
  assert.equal(appendToRun(m, m.steps[3], 'rm -rf /tmp/x'), null);
});
