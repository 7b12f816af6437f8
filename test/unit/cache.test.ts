import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import type { AnalysisFacts, CacheRiskLevel } from '../../server/src/analysis/model';
import { parseGitLog, readGitChurn } from '../../server/src/facts/git';
import { context, df } from './fixes';
import { stepsAffectedBy } from '../../server/src/analysis/cache';

function levels(text: string, facts: AnalysisFacts = {}): [number, string, CacheRiskLevel][] {
  return analyze(text, facts).steps.map((s) => [s.step.line, s.step.keyword, s.cacheRisk.level]);
}

function risk(text: string, line: number, facts: AnalysisFacts = {}) {
  const s = analyze(text, facts).steps.find((x) => x.step.line === line);
  assert.ok(s, `no step at line ${line}`);
  return s.cacheRisk;
}

test('COPY . . makes itself and every later step of the stage high, naming the line', () => {
  const text = df(
    'FROM node:20.11.1',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'COPY . .',
    'RUN npm run build',
    'CMD ["node", "."]',
  );
  assert.deepEqual(levels(text), [
    [1, 'FROM', 'low'],
    [2, 'WORKDIR', 'low'],
    [3, 'COPY', 'medium'],
    [4, 'RUN', 'medium'],
    [5, 'COPY', 'high'],
    [6, 'RUN', 'high'],
    [7, 'CMD', 'high'],
  ]);
  const r = risk(text, 6);
  assert.equal(r.reasons[0], 're-runs whenever any file in the context changes, because of COPY . . at line 5');
  assert.equal(r.causeLine, 5);
  assert.match(
    risk(text, 4).reasons[0],
    /dependency manifests package\.json, package-lock\.json change \(COPY package\.json package-lock\.json \.\/ at line 3\)/,
  );
});

test('a source folder, a source file and a config file', () => {
  const text = df('FROM python:3.12.4', 'COPY nginx.conf /etc/nginx/', 'COPY src/ /app/src/', 'COPY main.py /app/');
  assert.deepEqual(
    levels(text).map((x) => x[2]),
    ['low', 'medium', 'high', 'high'],
  );
  assert.match(risk(text, 3).reasons[0], /a file under src\/ changes, because of COPY src\/ \/app\/src\/ at line 3/);
  // with the context known, a folder is told from a file by what is in it
  const facts = { context: context(['config/app.yaml', 'config/db.yaml', 'requirements.txt']) };
  assert.equal(risk(df('FROM python:3.12', 'COPY config /app/config'), 2, facts).level, 'high');
  assert.equal(risk(df('FROM python:3.12', 'COPY requirements.txt /app/'), 2, facts).level, 'medium');
});

test('invalidation flows into stages built FROM a stage and into COPY --from, but not into unrelated stages', () => {
  const text = df(
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'COPY go.mod go.sum ./',
    'RUN go mod download',
    'COPY . .',
    'RUN go build -o /out/app .',
    'FROM build AS test',
    'RUN go test ./...',
    'FROM alpine:3.20.3 AS certs',
    'RUN apk add --no-cache ca-certificates',
    'FROM scratch',
    'COPY --from=certs /etc/ssl/certs /etc/ssl/certs',
    'COPY --from=build /out/app /app',
    'ENTRYPOINT ["/app"]',
  );
  const l = new Map(levels(text).map(([line, , level]) => [line, level]));
  assert.equal(l.get(8), 'high'); // RUN go test in a stage built FROM build
  assert.equal(l.get(10), 'low'); // certs stage does not depend on the sources
  assert.equal(l.get(12), 'low'); // COPY --from=certs
  assert.equal(l.get(13), 'high'); // COPY --from=build
  assert.match(risk(text, 13).reasons[0], /COPY \. \. at line 5 \(through stage build\)/);
  // rebuild cost: the layer steps of the stages the target needs (test is not built for the final stage)
  assert.deepEqual(analyze(text).rebuild.lines, [5, 6, 13]);
});

test('build args enter at their first use; floating bases and remote URLs are medium', () => {
  const text = df(
    'ARG BASE=debian:12',
    'FROM $BASE',
    'ARG VERSION=1.0',
    'ENV APP_HOME=/opt/app',
    'RUN echo $VERSION > /v',
    'FROM alpine',
    'ADD https://example.com/tool /usr/local/bin/tool',
  );
  const l = new Map(levels(text).map(([line, , level]) => [line, level]));
  assert.equal(l.get(2), 'medium'); // FROM consumes the global ARG BASE
  assert.equal(l.get(4), 'medium'); // inherits FROM's input
  assert.match(risk(text, 5).reasons.join('\n'), /build arg VERSION changes \(ARG at line 3, first used at line 5\)/);
  assert.doesNotMatch(risk(text, 4).reasons.join('\n'), /VERSION/);
  assert.match(risk(text, 6).reasons[0], /alpine is updated: no tag means "latest"/);
  assert.match(
    risk(text, 7).reasons[0],
    /https:\/\/example\.com\/tool changes: ADD at line 7 checks the URL on every build/,
  );
  // a full version does not float; a digest pins anything
  assert.equal(risk(df('FROM node:20.11.1', 'RUN true'), 2).level, 'low');
  assert.equal(risk(df('FROM node:lts', 'RUN true'), 2).level, 'medium');
});

test('RUN bind mounts of the context are inputs; cache mounts are not', () => {
  assert.equal(
    risk(df('FROM golang:1.22', 'RUN --mount=type=bind,target=/src go build -C /src -o /app'), 2).level,
    'high',
  );
  assert.equal(
    risk(df('FROM golang:1.22', 'RUN --mount=type=bind,source=go.mod,target=/src/go.mod go mod download'), 2).level,
    'medium',
  );
  assert.equal(
    risk(df('FROM node:20.11.1', 'RUN --mount=type=cache,target=/root/.npm npm install -g pnpm@9'), 2).level,
    'low',
  );
});

test('git churn weighs the reasons: how many of the last commits touched what a COPY brings in', () => {
  const git = parseGitLog(
    '\u001e\n\nsrc/a.js\nREADME.md\n\u001e\n\npackage.json\n\u001e\n\nsrc/b.js\n\u001e\n\ndocs/x.md\n',
  );
  assert.equal(git.commits, 4);
  const text = df('FROM node:20', 'WORKDIR /app', 'COPY package.json ./', 'RUN npm install', 'COPY src ./src');
  assert.match(
    risk(text, 5, { git }).reasons[0],
    /a file under src\/ changes, because of COPY src \.\/src at line 5; these files changed in 2 of the last 4 commits/,
  );
  assert.match(risk(text, 3, { git }).reasons[0], /changed in 1 of the last 4 commits/);
});

test('readGitChurn reads a real work tree, relative to the context folder, and gives nothing outside one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-git-'));
  try {
    const git = (...a: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    fs.mkdirSync(path.join(dir, 'app', 'src'), { recursive: true });
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(path.join(dir, 'app', 'src', 'main.go'), `package main // ${i}`);
      if (i === 0) fs.writeFileSync(path.join(dir, 'app', 'go.mod'), 'module x');
      fs.writeFileSync(path.join(dir, 'other.txt'), String(i));
      git('add', '.');
      git('commit', '-qm', `c${i}`);
    }
    const churn = await readGitChurn(path.join(dir, 'app'));
    assert.ok(churn);
    assert.equal(churn.commits, 3);
    assert.equal(churn.changes.get('src/main.go'), 3);
    assert.equal(churn.changes.get('go.mod'), 1);
    assert.equal(churn.changes.has('other.txt'), false);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'li-nogit-'));
    assert.equal(await readGitChurn(outside), undefined);
    fs.rmSync(outside, { recursive: true, force: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rebuild cost sums measured durations and bytes of the steps a source edit re-runs', () => {
  const text = df(
    'FROM node:20',
    'WORKDIR /app',
    'COPY package.json ./',
    'RUN npm install',
    'COPY . .',
    'RUN npm run build',
  );
  const measured = {
    image: 'app:dev',
    bytes: 1,
    sizeKind: 'overlay2',
    steps: [2, 3, 4, 5].map((stepIndex) => ({
      stepIndex,
      bytes: stepIndex * 1000,
      sizeKind: 'overlay2',
      durationMs: stepIndex * 100,
      cached: false,
    })),
  };
  const a = analyze(text, { measured });
  assert.deepEqual(a.rebuild.lines, [5, 6]);
  assert.equal(a.rebuild.bytes, 4000 + 5000);
  assert.equal(a.rebuild.durationMs, 400 + 500);
  assert.equal(analyze(text).rebuild.bytes, undefined);
});

test('any text yields risks: broken files, no FROM, empty', () => {
  for (const t of [
    '',
    'RUN echo hi',
    'FROM',
    'COPY',
    'FROM x\nCOPY --from=nope /a /b\nRUN --mount=type=bind,from=missing true',
    '\u0000\u0001',
  ]) {
    const a = analyze(t);
    assert.equal(a.steps.length, a.model.steps.length);
  }
});

test('stepsAffectedBy: the steps one edited file re-runs, through stages; ignored files re-run nothing', () => {
  const text = df(
    'FROM busybox AS build',
    'COPY go.mod ./',
    'RUN cat go.mod',
    'COPY cmd/ ./cmd/',
    'RUN cat cmd/*',
    'FROM busybox AS config',
    'COPY etc/app.conf /etc/',
    'RUN wc -c /etc/app.conf',
    'FROM busybox',
    'COPY --from=config /etc/app.conf /c',
    'COPY --from=build /bin/sh /s',
    'RUN true',
  );
  const model = analyze(text).model;
  const lines = (p: string, facts: AnalysisFacts = {}) =>
    [...stepsAffectedBy(model, facts, p)].map((i) => model.steps[i].line);
  // /bin/sh comes from the base image of stage build (no step of it writes there): a copy of it re-runs on no edit
  assert.deepEqual(lines('cmd/main.go'), [4, 5]);
  assert.deepEqual(lines('etc/app.conf'), [7, 8, 10, 11, 12]);
  assert.deepEqual(lines('go.mod'), [2, 3, 4, 5]);
  assert.deepEqual(lines('README.md'), []);
  // with the context known, a file .dockerignore leaves out is not sent: nothing re-runs
  assert.deepEqual(lines('cmd/notes.md', { context: context(['go.mod', 'cmd/main.go', 'etc/app.conf']) }), []);
});

test('the cache level of FROM: a digest or a full version is low, a tag that floats is medium and says why', () => {
  const from = (ref: string) => risk(df(`FROM ${ref}`, 'RUN true'), 1);
  for (const ref of [
    `node@sha256:${'ab'.repeat(32)}`,
    'rust:1.97.1-slim-trixie',
    'node:20.11.1-alpine3.19',
    'localhost:5000/app:1.2.3',
    'debian:trixie-20260803-slim',
    'scratch',
  ])
    assert.deepEqual(from(ref), { level: 'low', reasons: [] }, ref);
  const cases: [string, RegExp][] = [
    ['node:20', /the tag "20" names a major version and moves with each release/],
    ['python:3.12', /the tag "3\.12" names a minor version and moves with each patch release/],
    ['debian:bookworm-slim', /the tag "bookworm-slim" is a name, not a full version/],
    ['registry.example.com/app:builder-go', /the tag "builder-go" is a name/],
    ['app:base2', /the tag "base2" is a name/],
    ['node:latest', /the tag "latest" moves with every release/],
    ['node', /no tag means "latest"/],
  ];
  for (const [ref, why] of cases) {
    const r = from(ref);
    assert.equal(r.level, 'medium', ref);
    assert.match(r.reasons[0], new RegExp(`^re-runs when the base image ${ref.replace(/\./g, '\\.')} is updated: `));
    assert.match(r.reasons[0], why, ref);
    // every later step of the stage re-runs with it
    assert.equal(risk(df(`FROM ${ref}`, 'RUN true'), 2).level, 'medium', ref);
  }
  // a stage built FROM another stage does not float (its base's cause comes through that stage)
  const staged = df('FROM node:20.11.1 AS base', 'RUN true', 'FROM base', 'RUN true');
  assert.deepEqual(risk(staged, 3), { level: 'low', reasons: [] });
  // a variable without a value: the image is chosen at build time; the build arg is the cause, not a floating tag
  const unresolved = risk(df('ARG BASE', 'FROM ${BASE}', 'RUN true'), 2);
  assert.equal(unresolved.level, 'medium');
  assert.deepEqual(unresolved.reasons, [
    're-runs when the build arg BASE changes (ARG at line 1, first used at line 2)',
  ]);
  assert.deepEqual(risk(df('FROM build_${TARGETARCH}', 'RUN true'), 1), { level: 'low', reasons: [] });
});

test('one base image or build arg is one cause, however many stages bring it: the reasons name it once', () => {
  const text = df(
    'ARG V=1',
    'FROM alpine:3.20 AS a',
    'ARG V',
    'RUN echo $V > /a',
    'FROM alpine:3.20 AS b',
    'ARG V',
    'RUN echo $V > /b',
    'FROM alpine:3.20',
    'COPY --from=a /a /a',
    'COPY --from=b /b /b',
  );
  const r = risk(text, 10);
  assert.equal(r.level, 'medium');
  const base = r.reasons.filter((x) => x.includes('base image alpine:3.20'));
  const arg = r.reasons.filter((x) => x.includes('build arg V'));
  assert.equal(base.length, 1, r.reasons.join('\n'));
  assert.equal(arg.length, 1, r.reasons.join('\n'));
  assert.ok(!r.reasons.some((x) => /more inputs/.test(x)), 'no count of further copies of the same two events');
});

test('a whole-context COPY whose files no recent commit touched is high without a "changed in 0 of 50" note', () => {
  // 20 commits, all outside this Dockerfile's context (another project of the repository)
  const git = { commits: 20, changes: new Map<string, number>(), commitPaths: Array.from({ length: 20 }, () => []) };
  const r = risk(df('FROM alpine:3.20.3', 'COPY . /app'), 2, { git });
  assert.equal(r.level, 'high');
  assert.ok(!r.reasons.some((x) => x.includes('changed in 0 of')), r.reasons.join('\n'));
  // where files did change, the count is still given
  const busy = {
    commits: 20,
    changes: new Map([['a.go', 12]]),
    commitPaths: Array.from({ length: 20 }, (_, i) => (i < 12 ? ['a.go'] : [])),
  };
  const b = risk(df('FROM alpine:3.20.3', 'COPY . /app'), 2, { git: busy });
  assert.ok(
    b.reasons.some((x) => x.includes('changed in 12 of the last 20 commits')),
    b.reasons.join('\n'),
  );
});
