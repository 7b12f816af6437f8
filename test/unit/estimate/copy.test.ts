import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { stepsAffectedBy } from '../../../server/src/analysis/cache';
import { selectContextFiles } from '../../../server/src/analysis/estimate/copy';
import { compileGlob } from '../../../server/src/analysis/glob';
import { fixture, fixtureContext, sizeOf, stepsAt } from './helpers';

const ROOT = fixture('estimate-context');

// What the builder sends from test/fixtures/estimate-context with its .dockerignore:
// node_modules, tmp, **/*.log, docs/ (except docs/keep.md) and secret.txt are left out.
const SENT = [
  '.dockerignore',
  'README.md',
  'app/main.js',
  'app/nested/deep.js',
  'app/util.js',
  'assets/icon1.png',
  'assets/icon2.png',
  'assets/iconA.png',
  'assets/logo.png',
  'docs/keep.md',
  'package-lock.json',
  'package.json',
  'requirements.txt',
  'src/a.go',
  'src/b.go',
  'src/sub/c.go',
  'src/x.js',
  'vendor/lib.tar.gz',
];

test('the context honours .dockerignore: exceptions with ! and ** patterns', async () => {
  const ctx = await fixtureContext('estimate-context');
  assert.deepEqual(
    ctx.files.map((f) => f.path),
    SENT,
  );
  assert.equal(ctx.hasDockerignore, true);
});

test('COPY . copies every file the context sends, with its real size', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt('FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . .\n', { context: ctx });
  const size = at(3).size;
  assert.ok(size);
  assert.equal(size.source, 'estimate');
  assert.equal(size.bytes, sizeOf(ROOT, SENT));
  assert.match(size.basis, /18 files from the build context after \.dockerignore/);
});

test('a folder source copies its contents; ignored files inside it are not copied', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt('FROM debian:bookworm-slim\nCOPY app /srv/app\nCOPY docs/ /docs/\nCOPY ./README.md /\n', {
    context: ctx,
  });
  assert.equal(at(2).size?.bytes, sizeOf(ROOT, ['app/main.js', 'app/util.js', 'app/nested/deep.js']));
  assert.equal(at(3).size?.bytes, sizeOf(ROOT, ['docs/keep.md']));
  assert.equal(at(4).size?.bytes, sizeOf(ROOT, ['README.md']));
});

test('wildcards follow Go filepath.Match: * stays in one folder, a matched folder copies its contents', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      'COPY src/*.go /x/',
      'COPY src/* /y/',
      'COPY assets/icon[0-9].png /z/',
      'COPY assets/icon[^0-9].png /z/',
      'COPY assets/icon?.png package*.json /w/',
      'COPY */*.js /v/',
    ].join('\n'),
    { context: ctx },
  );
  assert.equal(at(2).size?.bytes, sizeOf(ROOT, ['src/a.go', 'src/b.go']));
  assert.equal(at(3).size?.bytes, sizeOf(ROOT, ['src/a.go', 'src/b.go', 'src/sub/c.go', 'src/x.js']));
  assert.equal(at(4).size?.bytes, sizeOf(ROOT, ['assets/icon1.png', 'assets/icon2.png']));
  assert.equal(at(5).size?.bytes, sizeOf(ROOT, ['assets/iconA.png']));
  assert.equal(
    at(6).size?.bytes,
    sizeOf(ROOT, ['assets/icon1.png', 'assets/icon2.png', 'assets/iconA.png', 'package.json', 'package-lock.json']),
  );
  assert.equal(at(7).size?.bytes, sizeOf(ROOT, ['app/main.js', 'app/util.js', 'src/x.js']));
});

test('one matcher: a ** pattern is two *s, as Docker reads it, for the size and for the cache model alike', async () => {
  const ctx = await fixtureContext('estimate-context');
  const text = 'FROM debian:bookworm-slim\nCOPY **/*.go /x/\nRUN true\n';
  const a = analyze(text, { context: ctx });
  // filepath.Match has no **: `**/*.go` is `*/*.go`, files one folder down (src/sub/c.go is two down)
  assert.equal(a.steps.find((s) => s.step.line === 2)?.size?.bytes, sizeOf(ROOT, ['src/a.go', 'src/b.go']));
  const affected = (file: string) =>
    [...stepsAffectedBy(a.model, { context: ctx }, file)].map((i) => a.model.steps[i].line);
  assert.deepEqual(affected('src/a.go'), [2, 3]);
  assert.deepEqual(affected('src/sub/c.go'), [], 'a file the COPY does not bring in re-runs nothing');
});

test('a folder a pattern matches lands with its contents at the destination, as the builder copies it', async () => {
  const ctx = await fixtureContext('estimate-context');
  // src/* matches the folder src/sub: its contents (c.go) land in /y/, not in /y/sub/
  const at = stepsAt(
    'FROM debian:bookworm-slim AS a\nCOPY src/* /y/\nFROM debian:bookworm-slim\nCOPY --from=a /y/c.go /z/\n',
    { context: ctx },
  );
  assert.equal(at(4).size?.bytes, sizeOf(ROOT, ['src/sub/c.go']));
});

test('a file two sources bring to two places is in the layer twice', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt('FROM debian:bookworm-slim\nCOPY app app/util.js /srv/\nCOPY app/util.js app/util.js /t/\n', {
    context: ctx,
  });
  // app brings util.js to /srv/util.js, app/util.js brings it there again: one file
  assert.equal(at(2).size?.bytes, sizeOf(ROOT, ['app/main.js', 'app/util.js', 'app/nested/deep.js']));
  const at2 = stepsAt('FROM debian:bookworm-slim\nCOPY . app /srv/\n', { context: ctx });
  // `.` puts app/main.js at /srv/app/main.js, `app` at /srv/main.js
  assert.equal(
    at2(2).size?.bytes,
    sizeOf(ROOT, SENT) + sizeOf(ROOT, ['app/main.js', 'app/util.js', 'app/nested/deep.js']),
  );
});

test('Go pattern syntax: escapes, ranges, malformed classes', () => {
  assert.ok(compileGlob('a\\*b')?.test('a*b'));
  assert.equal(compileGlob('a\\*b')?.test('axb'), false);
  assert.ok(compileGlob('[a-c]x')?.test('bx'));
  assert.equal(compileGlob('[a-c]x')?.test('dx'), false);
  assert.equal(compileGlob('*')?.test('a/b'), false, '* does not cross folders');
  assert.equal(compileGlob('[z-a]'), null, 'a reversed range is a bad pattern');
  assert.equal(compileGlob('[abc'), null, 'an unterminated class is a bad pattern');
});

test('a source that matches nothing is reported, and ignored files count as missing', async () => {
  const ctx = await fixtureContext('estimate-context');
  const sel = selectContextFiles(ctx, ['secret.txt', 'README.md']);
  assert.deepEqual(sel.missing, ['secret.txt']);
  assert.equal(sel.bytes, sizeOf(ROOT, ['README.md']));
  // the build stops there: no size, never a confident 0 B (the copy-source-missing rule says why)
  const at = stepsAt('FROM debian:bookworm-slim\nCOPY nope.txt /\nCOPY README.md nope*.txt /\n', { context: ctx });
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /no file in the build context matches nope\.txt: Docker stops the build/);
  // a pattern that matches nothing copies nothing (BuildKit goes on)
  assert.equal(at(3).size?.bytes, sizeOf(ROOT, ['README.md']));
  assert.match(at(3).size?.basis ?? '', /the pattern nope\*\.txt matches nothing/);
});

test('ADD extracts local tar archives: archive bytes times a documented ratio; URLs are unknown', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    'FROM debian:bookworm-slim\nADD vendor/lib.tar.gz /opt/\nCOPY vendor/lib.tar.gz /opt/\nADD https://example.com/x.tgz /opt/\n',
    { context: ctx },
  );
  const archive = sizeOf(ROOT, ['vendor/lib.tar.gz']);
  assert.equal(at(2).size?.bytes, Math.round(archive * 2.5));
  assert.match(at(2).size?.basis ?? '', /extracted by ADD/);
  assert.equal(at(3).size?.bytes, archive, 'COPY does not extract');
  assert.equal(at(4).size, null);
  assert.match(at(4).sizeNote ?? '', /URL/);
});

test('COPY --from a stage: the bytes that stage put there; unknown when a RUN there has no estimate', async () => {
  const ctx = await fixtureContext('estimate-context');
  const text = [
    'FROM debian:bookworm-slim AS build', // 1
    'WORKDIR /src', // 2
    'COPY app ./app', // 3
    'COPY src ./gen', // 4
    'RUN ./generate.sh', // 5
    'FROM debian:bookworm-slim', // 6
    'COPY --from=build /src/app /app', // 7
    'COPY --from=build /src/gen/out /out', // 8
    'COPY --from=build /usr/share/zoneinfo /zi', // 9
    'COPY --from=golang:1.26 /usr/local/go /go', // 10
  ].join('\n');
  const a = analyze(text, { context: ctx });
  const at = (line: number) => a.steps.find((s) => s.step.line === line);
  assert.equal(at(7)?.size?.bytes, sizeOf(ROOT, ['app/main.js', 'app/util.js', 'app/nested/deep.js']));
  assert.match(at(7)?.size?.basis ?? '', /stage build/);
  assert.equal(at(8)?.size, null);
  assert.match(at(8)?.sizeNote ?? '', /line 5/);
  assert.equal(at(9)?.size, null, 'files of the base image are not in our tables');
  assert.equal(at(10)?.size, null);
  assert.match(at(10)?.sizeNote ?? '', /golang:1\.26/);
});

test('no context facts: COPY says why it has no size', () => {
  const at = stepsAt('FROM debian:bookworm-slim\nCOPY . .\n');
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /no build context/);
});

test('heredoc COPY counts its body', () => {
  const at = stepsAt('# syntax=docker/dockerfile:1\nFROM debian:bookworm-slim\nCOPY <<EOF /etc/motd\nhello\nEOF\n');
  assert.equal(at(3).size?.bytes, Buffer.byteLength('hello', 'utf8'));
});

test('hostile COPY patterns: a malformed class matches nothing, 40 stars answer at once (no crash, no hang)', () => {
  const names = Array.from({ length: 20 }, (_, i) => `${'a'.repeat(60)}${i}/${'a'.repeat(60)}`);
  const context = {
    root: '/ctx',
    files: names.map((p) => ({ path: p, bytes: 1 })),
    truncated: false,
    hasDockerignore: false,
  };
  const t0 = Date.now();
  const at = stepsAt(
    `FROM debian:bookworm-slim\nCOPY [z-a] /x\nCOPY [ /y\nCOPY ${'*'.repeat(40)}b /z\nCOPY ${'*a'.repeat(30)}*/* /w\n`,
    { context },
  );
  assert.equal(at(2).size?.bytes, 0);
  assert.match(at(2).size?.basis ?? '', /the pattern \[z-a\] matches nothing/);
  assert.equal(at(3).size?.bytes, 0);
  assert.equal(at(4).size?.bytes, 0);
  // the pattern matches all 20 files, and each lands at /w/ under its own name, the same for all: one file remains
  assert.equal(at(5).size?.bytes, 1);
  assert.match(at(5).size?.basis ?? '', /^20 files from the build context/);
  assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
});

test('build outputs: go build, dotnet publish and npm run build have no size, and COPY --from names the RUN that wrote the output', () => {
  const text = [
    'FROM golang:1.23-bookworm AS go', // 1
    'WORKDIR /src', // 2
    'COPY go.mod go.sum ./', // 3
    'RUN go mod download', // 4
    'COPY . .', // 5
    'RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server', // 6
    'RUN go version', // 7
    'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS net', // 8
    'WORKDIR /source', // 9
    'COPY . .', // 10
    'RUN dotnet publish -c Release -o /app', // 11
    'FROM debian:bookworm-slim', // 12
    'COPY --from=go /out/server /usr/local/bin/server', // 13
    'COPY --from=net /app /app', // 14
  ].join('\n');
  const a = analyze(text, {
    context: {
      root: '/ctx',
      files: [
        { path: 'go.mod', bytes: 50 },
        { path: 'go.sum', bytes: 50 },
      ],
      truncated: false,
      hasDockerignore: false,
    },
  });
  const at = (line: number) => a.steps.find((s) => s.step.line === line);
  assert.equal(at(6)?.size, null, 'a Go binary is not 0 B');
  assert.match(at(6)?.sizeNote ?? '', /no static estimate for what go writes/);
  assert.equal(at(7)?.size?.bytes, 0, 'go version writes nothing');
  assert.equal(at(11)?.size, null);
  assert.equal(at(13)?.size, null);
  assert.match(at(13)?.sizeNote ?? '', /\/out\/server in stage go is written by the RUN at line 6/);
  assert.equal(at(14)?.size, null);
  assert.match(at(14)?.sizeNote ?? '', /\/app in stage net is written by the RUN at line 11/);
  assert.equal(a.image?.complete, false);
});

test('a COPY --from of what an unsized RUN made names the RUN in the deepest folder, not an earlier one in /', () => {
  const text = [
    'FROM rust:1.82-slim-bookworm AS build', // 1
    'RUN mkdir -pv /root/.cargo && rustup set profile minimal', // 2
    'WORKDIR /app', // 3
    'RUN cargo build --release && ln -vfsr /app/target/release /app/target/final', // 4
    'FROM debian:bookworm-slim', // 5
    'COPY --from=build /app/target/final/server .', // 6
  ].join('\n');
  const a = analyze(text, {});
  const at = (line: number) => a.steps.find((s) => s.step.line === line);
  assert.equal(at(6)?.size, null);
  assert.match(at(6)?.sizeNote ?? '', /in stage build is .*the RUN at line 4\b/);
});

test("npm run build: COPY --from of dist/ is the build RUN's output, not the sized node_modules of npm ci", async () => {
  const ctx = await fixtureContext('estimate-context');
  const text = [
    'FROM node:22.11.0-bookworm AS build', // 1
    'WORKDIR /app', // 2
    'COPY package.json package-lock.json ./', // 3
    'RUN npm ci', // 4
    'COPY src ./src', // 5
    'RUN npm run build', // 6
    'FROM node:22.11.0-bookworm-slim', // 7
    'COPY --from=build /app/node_modules /app/node_modules', // 8
    'COPY --from=build /app/dist /app/dist', // 9
  ].join('\n');
  const a = analyze(text, { context: ctx });
  const at = (line: number) => a.steps.find((s) => s.step.line === line);
  assert.ok((at(4)?.size?.bytes ?? 0) > 0, 'npm ci is sized from the lockfile');
  assert.ok((at(8)?.size?.bytes ?? 0) > 0, 'node_modules comes from the sized npm ci');
  assert.equal(at(9)?.size, null);
  assert.match(at(9)?.sizeNote ?? '', /\/app\/dist in stage build is written by the RUN at line 6/);
});
