// Interpreting the instructions (analysis/parse/interpret.ts): keywords in any case, ONBUILD, instructions before the
// first FROM, ARG and ENV scopes with --build-arg values, WORKDIR and COPY destinations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { step } from './helpers';

test('lowercase and mixed-case instructions are instructions; stage names are case-insensitive', () => {
  const m = parseDockerfile(
    'from alpine as Builder\nrun echo hi\nFrom scratch\nCopy --FROM=BUILDER /out /out\nworkdir app\n',
  );
  assert.deepEqual(
    m.steps.map((s) => s.keyword),
    ['FROM', 'RUN', 'FROM', 'COPY', 'WORKDIR'],
  );
  assert.equal(m.stages[0].name, 'builder');
  assert.deepEqual(step(m, 4).copyFrom, { stage: 0, image: null, raw: 'BUILDER' });
  assert.deepEqual(m.stages[1].dependsOn, [0]);
  assert.equal(step(m, 5).workdir, '/app');
});

test('ONBUILD records its trigger and creates no layer now', () => {
  const m = parseDockerfile('FROM alpine\nONBUILD COPY . /app\nonbuild RUN make\nONBUILD\n');
  assert.deepEqual(
    m.steps.slice(1).map((s) => [s.keyword, s.onbuildKeyword, s.createsLayer]),
    [
      ['ONBUILD', 'COPY', false],
      ['ONBUILD', 'RUN', false],
      ['ONBUILD', '', false],
    ],
  );
});

test('unknown words still make steps (Docker reports them) and instructions before FROM are problems', () => {
  const m = parseDockerfile('RUN echo early\nFROM alpine\nFOO bar\n');
  assert.deepEqual(
    m.steps.map((s) => [s.keyword, s.stage]),
    [
      ['RUN', -1],
      ['FROM', 0],
      ['FOO', 0],
    ],
  );
  assert.ok(m.problems.some((p) => p.includes('line 1')));
  assert.equal(m.steps[2].createsLayer, false);
});

// ---------------------------------------------------------------------------------------------------------
// variables

test('ARG in FROM: global defaults, ${V:-x}, --build-arg overrides, and ARG re-declared in a stage', () => {
  const text = [
    'ARG BASE=alpine',
    'ARG TAG',
    'ARG REGISTRY=docker.io/library',
    'FROM ${REGISTRY}/${BASE}:${TAG:-3.19} AS build',
    'ARG BASE',
    'ARG TAG',
    'ARG LOCAL=/opt/$BASE',
    'WORKDIR $LOCAL/src',
    'COPY ${BASE}.txt ./',
    'FROM $BASE',
    'WORKDIR /x/${TAG:-none}',
  ].join('\n');
  const m = parseDockerfile(text);
  assert.deepEqual(
    [...m.globalArgs],
    [
      ['BASE', 'alpine'],
      ['TAG', null],
      ['REGISTRY', 'docker.io/library'],
    ],
  );
  assert.equal(m.stages[0].from, 'docker.io/library/alpine:3.19');
  assert.equal(m.stages[0].fromRaw, '${REGISTRY}/${BASE}:${TAG:-3.19}');
  assert.equal(step(m, 8).workdir, '/opt/alpine/src');
  assert.deepEqual(step(m, 9).sources, ['alpine.txt']);
  assert.equal(m.stages[1].from, 'alpine');
  assert.equal(step(m, 11).workdir, '/x/none', 'a global ARG not re-declared in the stage is not visible there');

  const o = parseDockerfile(text, { buildArgs: { TAG: '3.20', BASE: 'debian', LOCAL: '/srv', UNDECLARED: 'x' } });
  assert.equal(o.stages[0].from, 'docker.io/library/debian:3.20');
  assert.equal(step(o, 8).workdir, '/srv/src');
  assert.equal(o.stages[1].from, 'debian');
});

test('ENV is inherited by FROM stage, ARG is not; ENV wins over ARG; ENV values use the values before it', () => {
  const m = parseDockerfile(
    [
      'FROM alpine AS base',
      'ARG DIR=/from-arg',
      'ENV ROOT=/srv',
      'ENV DIR=/from-env',
      'ENV ROOT=/opt OLD=$ROOT',
      'ENV LEGACY value with spaces',
      'WORKDIR $DIR',
      'FROM base',
      'ARG DIR',
      'WORKDIR $ROOT/$OLD',
      'COPY x $LEGACY',
    ].join('\n'),
  );
  assert.equal(step(m, 7).workdir, '/from-env');
  assert.equal(step(m, 8).workdir, '/from-env', 'FROM base starts in the WORKDIR of base');
  assert.equal(step(m, 10).workdir, '/opt/srv');
  assert.equal(step(m, 11).destination, '/opt/srv/value with spaces');
});

// ---------------------------------------------------------------------------------------------------------
// paths

test('WORKDIR: relative paths join the current one, .. resolves, COPY destinations are made absolute', () => {
  const m = parseDockerfile(
    [
      'FROM alpine',
      'COPY a.txt .',
      'WORKDIR /srv',
      'WORKDIR app/',
      'WORKDIR ../lib',
      'COPY a b ./dir/',
      'COPY c /abs',
      'COPY ["d e.txt", "rel"]',
      'WORKDIR /',
    ].join('\n'),
  );
  assert.equal(step(m, 2).destination, '/');
  assert.deepEqual(
    m.steps.map((s) => s.workdir),
    ['/', '/', '/srv', '/srv/app', '/srv/lib', '/srv/lib', '/srv/lib', '/srv/lib', '/'],
  );
  assert.equal(step(m, 6).destination, '/srv/lib/dir/');
  assert.equal(step(m, 7).destination, '/abs');
  assert.deepEqual(
    [step(m, 8).sources, step(m, 8).destination, step(m, 8).execForm],
    [['d e.txt'], '/srv/lib/rel', true],
  );
  assert.deepEqual(
    m.steps.map((s) => s.createsLayer),
    [false, true, true, true, true, true, true, true, false],
  );
  assert.equal(parseDockerfile('FROM a\nWORKDIR /w\n', { buildkit: false }).steps[1].createsLayer, false);
});

test('a shell-form RUN carries the declared variables its text refers to, with --build-arg values', () => {
  const text = [
    'ARG GLOBAL=g',
    'FROM debian',
    'ARG GPU',
    'ARG MODE=cpu',
    'ARG GLOBAL',
    'ENV HOME_DIR=/srv',
    'RUN echo "$GPU ${MODE} $GLOBAL $HOME_DIR $UNDECLARED"',
    'RUN echo none',
    'RUN ["sh", "-c", "echo $MODE"]',
  ].join('\n');
  const m = parseDockerfile(text);
  assert.deepEqual(
    [...(step(m, 7).vars ?? [])],
    [
      ['GPU', null],
      ['MODE', 'cpu'],
      ['GLOBAL', 'g'],
      ['HOME_DIR', '/srv'],
    ],
  );
  assert.equal(step(m, 8).vars, undefined, 'no variables referred to');
  assert.equal(step(m, 9).vars, undefined, 'exec form: no shell expands them');
  const o = parseDockerfile(text, { buildArgs: { GPU: '1', MODE: 'gpu', GLOBAL: 'b' } });
  assert.deepEqual(
    [...(step(o, 7).vars ?? [])].map(([, v]) => v),
    ['1', 'gpu', 'b', '/srv'],
  );
});
