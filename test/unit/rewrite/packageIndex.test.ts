import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { installsUsingIndex, readsAptIndex, updateBefore } from '../../../server/src/analysis/rewrite/packageIndex';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';

const text = [
  'FROM debian:12 AS a',
  'RUN apt-get update && apt-get install -y curl',
  'RUN apt-get install -y git',
  'FROM a AS b',
  'RUN --mount=type=cache,target=/var/lib/apt/lists apt-get install -y jq',
  'RUN apt-get install -y make; apt-get update',
  'RUN apt-get install -y gcc',
  'FROM a AS c',
  'RUN apt-get update && apt-get install -y vim',
  'RUN apt-get install -y less',
  '',
].join('\n');

test('installsUsingIndex: later RUNs of the stage and of stages FROM it, up to an update; cache mounts do not count', () => {
  const m = parseDockerfile(text);
  const lines = installsUsingIndex(m, m.steps[1], 'apt').map((s) => s.line);
  // line 5 reads its cache mount; line 6 installs before its update (and ends stage b's walk); stage c updates first
  assert.deepEqual(lines, [3, 6]);
  assert.deepEqual(
    installsUsingIndex(m, m.steps[1], 'apt', m.steps[2]).map((s) => s.line),
    [],
  );
  assert.equal(readsAptIndex(m.steps[5]), true);
  assert.equal(readsAptIndex(m.steps[8]), false);
});

test('updateBefore: apt-get update && at the start of each RUN; the reason for an exec-form RUN', () => {
  const m = parseDockerfile(text);
  const r = updateBefore(m, [m.steps[2]]);
  assert.ok('edits' in r);
  assert.match(applyEdits(text, r.edits), /\nRUN apt-get update && apt-get install -y git\n/);
  const exec = parseDockerfile('FROM a\nRUN ["apt-get", "install", "x"]\n');
  const why = updateBefore(exec, [exec.steps[1]]);
  assert.ok('why' in why && /line 2/.test(why.why));
});

test('apk: a plain apk add reads the index; apk update, apk add -U and --no-cache do not (the last fetches its own)', () => {
  const m = parseDockerfile(
    [
      'FROM alpine:3.20 AS a',
      'RUN apk add -U curl',
      'RUN apk add --no-cache git',
      'RUN apk add jq',
      'RUN apk update && apk add make',
      'RUN apk add gcc',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    installsUsingIndex(m, m.steps[1], 'apk').map((s) => s.line),
    [4],
  );
});
