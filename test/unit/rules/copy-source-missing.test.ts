import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, df, findings, run } from '../fixes';

const RULE = 'copy-source-missing';

test('a COPY of a file the context lacks is a warning, and its size is unknown rather than 0 B', () => {
  const text = df('FROM debian:bookworm-slim', 'COPY app.conf /etc/', 'COPY dist/app.jar /app/app.jar');
  const facts = { context: context(['app.conf', 'src/Main.java']) };
  const f = findings(text, RULE, facts);
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 3);
  assert.equal(f[0].severity, 'warning');
  assert.match(f[0].message, /`dist\/app\.jar` is not in the build context: Docker stops the build/);
  assert.equal(f[0].fixes.length, 0);
  const a = run(text, facts);
  assert.equal(a.steps[2].size, null);
  assert.match(a.steps[2].sizeNote ?? '', /no file in the build context matches dist\/app\.jar/);
  assert.equal(a.image?.complete, false);
  assert.ok(a.steps[1].size && a.steps[1].size.bytes === 100, 'the file that exists is sized');
});

test('a wildcard that matches nothing is not reported (BuildKit copies nothing and goes on)', () => {
  const text = df('FROM node:22.11.0-bookworm', 'WORKDIR /app', 'COPY package.json yarn.lock* ./', 'COPY . .');
  const facts = { context: context(['package.json', 'index.js']) };
  assert.equal(findings(text, RULE, facts).length, 0);
  const a = run(text, facts);
  assert.equal(a.steps[2].size?.bytes, 100);
  assert.match(a.steps[2].size?.basis ?? '', /yarn\.lock\* matches nothing/);
});

test('no finding without a context listing, with a truncated one, for COPY --from, URLs and variables', () => {
  const text = df(
    'FROM golang:1.23 AS build',
    'FROM debian:bookworm-slim',
    'ARG CONF',
    'COPY --from=build /out/app /app',
    'ADD https://example.com/x.tgz /opt/',
    'COPY $CONF /etc/app.conf',
    'COPY present.txt /',
  );
  assert.equal(findings(text, RULE).length, 0);
  assert.equal(findings(text, RULE, { context: context(['present.txt']) }).length, 0);
  const truncated = { ...context(['x']), truncated: true };
  assert.equal(findings(df('FROM debian:12', 'COPY missing.txt /'), RULE, { context: truncated }).length, 0);
});

test('a stage the target does not build is not checked (BuildKit skips it)', () => {
  const text = df('FROM debian:12 AS docs', 'COPY docs/ /docs', 'FROM debian:12', 'COPY app.sh /');
  assert.equal(findings(text, RULE, { context: context(['app.sh']) }).length, 0);
  const used = df(
    'FROM debian:12 AS docs',
    'COPY docs/ /docs',
    'FROM debian:12',
    'COPY --from=docs /docs /docs',
    'COPY app.sh /',
  );
  assert.deepEqual(
    findings(used, RULE, { context: context(['app.sh']) }).map((f) => f.line),
    [2],
  );
});

test('when most sources are missing, this rule stays quiet: build-context-mismatch says it once', () => {
  const text = df('FROM python:3.12-slim', 'COPY requirements.txt .', 'COPY app/ /app', 'COPY start.sh /');
  const facts = { context: context(['start.sh', 'README.md']) };
  assert.equal(findings(text, RULE, facts).length, 0);
  assert.equal(findings(text, 'build-context-mismatch', facts).length, 1);
});

test('a submodule folder not checked out: one finding per COPY, naming the missing folder', () => {
  const text = df(
    'FROM node:22-bookworm-slim',
    'COPY calcom/package.json calcom/yarn.lock ./',
    'COPY calcom/apps/web ./apps/web',
    'COPY calcom/packages ./packages',
    'COPY scripts scripts',
  );
  const facts = { context: context(['scripts/start.sh', '.dockerignore']) };
  const f = findings(text, RULE, facts);
  assert.deepEqual(
    f.map((x) => x.line),
    [2, 3, 4],
  );
  assert.match(f[0].message, /^`calcom\/package\.json`, `calcom\/yarn\.lock` are not in the build context/);
  assert.match(
    f[0].message,
    /The folder `calcom\/` is missing from the context altogether: a git submodule not checked out/,
  );
  assert.equal(findings(text, 'build-context-mismatch', facts).length, 0);
});
