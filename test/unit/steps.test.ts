import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { showsCacheRisk, stepAtLine, stepIndexAtLine, stepsAfter, stepsBefore } from '../../server/src/analysis/steps';

test('the step at a line: any line of a step (continuations, heredoc bodies); none on comments and blanks', () => {
  const m = parseDockerfile('# c\nFROM a\n\nRUN x \\\n  y\nRUN <<EOF\nbody\nEOF\n# after\n');
  const at = (line: number) => stepAtLine(m, line)?.line;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0].map(at), [
    undefined,
    2,
    undefined,
    4,
    4,
    6,
    6,
    6,
    undefined,
    undefined,
    undefined,
  ]);
  assert.equal(stepIndexAtLine(m.steps, 7), 2);
  assert.equal(stepIndexAtLine([], 1), -1);
});

test('the step at a line among 10,000 steps is found by binary search', () => {
  const m = parseDockerfile('FROM a\n' + 'RUN x\n'.repeat(10_000));
  for (const line of [1, 2, 5_000, 10_001]) assert.equal(stepAtLine(m, line)?.line, line);
});

test('steps before a step: its stage backwards, then the stages it is built FROM', () => {
  const m = parseDockerfile('FROM a AS base\nRUN one\nFROM base\nRUN two\nRUN three\nFROM a\nRUN other\n');
  const lines = [...stepsBefore(m, m.steps[4])].map((s) => s.line);
  assert.deepEqual(lines, [4, 3, 2, 1]);
  assert.deepEqual(
    [...stepsBefore(m, m.steps[6])].map((s) => s.line),
    [6],
  );
});

test('showsCacheRisk: FROM, WORKDIR and the steps that make a layer; no instruction that only sets metadata', () => {
  const m = parseDockerfile(
    [
      'ARG GLOBAL=1',
      'FROM alpine:3.20.3',
      'WORKDIR /',
      'WORKDIR /app',
      'RUN true',
      'COPY a /a',
      'ADD b /b',
      'ENV A=1',
      'LABEL a=b',
      'EXPOSE 80',
      'CMD ["x"]',
      'ENTRYPOINT ["x"]',
      'USER app',
      'HEALTHCHECK CMD true',
      'ARG LOCAL',
      'STOPSIGNAL SIGTERM',
      'SHELL ["/bin/sh", "-c"]',
      'ONBUILD RUN true',
      'VOLUME /data',
      'MAINTAINER someone',
      '',
    ].join('\n'),
  );
  const shown = m.steps.filter((s) => showsCacheRisk(s)).map((s) => `${s.keyword} ${s.args}`);
  // WORKDIR / makes no layer (the folder exists) but is shown: whether a WORKDIR makes one depends on the base
  assert.deepEqual(shown, ['FROM alpine:3.20.3', 'WORKDIR /', 'WORKDIR /app', 'RUN true', 'COPY a /a', 'ADD b /b']);
});

test('stepsAfter: the rest of the stage, then the stages built FROM it (transitively), not the others', () => {
  const m = parseDockerfile(
    ['FROM a AS one', 'RUN x', 'RUN y', 'FROM one AS two', 'RUN z', 'FROM b', 'RUN w', 'FROM two', 'RUN v', ''].join(
      '\n',
    ),
  );
  assert.deepEqual(
    [...stepsAfter(m, m.steps[1])].map((s) => s.line),
    [3, 4, 5, 8, 9],
  );
});
