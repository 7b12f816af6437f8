// Reading an edited document with its previous version at hand (analysis/parse/incremental.ts): the model is the one
// a fresh read gives, the steps above the edit are the previous version's objects, and a previous version read with
// other options lends nothing wrong. test/unit/reuse.test.ts replays random edits through the whole analysis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, readAlike } from '../../../server/src/analysis/parse';
import { step } from './helpers';

const TEXT = [
  'ARG BASE=alpine',
  'FROM $BASE AS build',
  'ENV A=1',
  'RUN echo $A',
  'COPY a /$A',
  'FROM build',
  'RUN --mount=from=build,target=/t true',
  'COPY --from=build /a /b',
  'CMD ["x"]',
].join('\n');

test('an edit on the last line: the model of a fresh read, the steps above the edit kept as they were', () => {
  const first = parseDockerfile(TEXT);
  const edited = TEXT.replace('CMD ["x"]', 'CMD ["y"]');
  const again = parseDockerfile(edited, {}, first);
  assert.deepEqual(again, parseDockerfile(edited));
  for (let i = 0; i < 8; i++) assert.equal(again.steps[i], first.steps[i], `step ${i} is the previous object`);
  assert.deepEqual(again.steps[8].words, ['y']);
  assert.ok(readAlike(first, again));
});

test('an edit to what is in force (ENV) reaches the steps after it', () => {
  const first = parseDockerfile(TEXT);
  const edited = TEXT.replace('ENV A=1', 'ENV A=2');
  const again = parseDockerfile(edited, {}, first);
  assert.deepEqual(again, parseDockerfile(edited));
  assert.equal(again.steps[1], first.steps[1], 'the FROM above the edit is kept');
  assert.equal(step(again, 5).destination, '/2');
});

test('a previous version read with other build args: the stages follow the new ones', () => {
  const first = parseDockerfile(TEXT);
  const options = { buildArgs: { BASE: 'debian' } };
  const other = parseDockerfile(TEXT, options, first);
  assert.deepEqual(other, parseDockerfile(TEXT, options));
  assert.equal(other.stages[0].from, 'debian');
  assert.ok(!readAlike(first, other));
});

test("steps taken over still take their share of the file's expansion budget", () => {
  // each COPY adds 240 KB of substitutions; the file's 4 MB are spent at the 18th
  const lines = ['FROM alpine', `ARG V=${'v'.repeat(60_000)}`];
  for (let i = 0; i < 20; i++) lines.push(`COPY $V $V $V $V /x${i}`);
  const first = parseDockerfile([...lines, 'RUN echo'].join('\n'));
  const edited = [...lines, 'COPY $V /y'].join('\n');
  const again = parseDockerfile(edited, {}, first);
  const fresh = parseDockerfile(edited);
  assert.ok(
    fresh.problems.some((p) => p.startsWith('line 23: variable expansion truncated')),
    fresh.problems.join(),
  );
  assert.deepEqual(again.problems, fresh.problems);
  assert.deepEqual(again.steps, fresh.steps);
  assert.equal(again.steps[5], first.steps[5], 'the COPY steps were taken over');
});
