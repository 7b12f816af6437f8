// What an ordinary edit touches (analysis/ordinaryEdit.ts), as a user sees it: the cache level of each step, the
// "A typical source edit re-runs N layer steps" line of the CLI report, the hover's rebuild cost, and
// copy-before-install. With git history (made here as `git log` output) and without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import type { AnalysisFacts, CacheRiskLevel } from '../../server/src/analysis/model';
import { MIN_EVIDENCE_COMMITS, ORDINARY_EDIT_SHARE } from '../../server/src/analysis/ordinaryEdit';
import { parseGitLog } from '../../server/src/facts/git';
import { stepHover } from '../../server/src/report/describe';
import { toText } from '../../server/src/report/text';
import { context, df } from './fixes';

/** `git log --name-only` output for these commits (newest first), each the list of paths it touched. */
function history(commits: string[][]) {
  return parseGitLog(commits.map((paths) => `\u001e\n\n${paths.join('\n')}\n`).join(''));
}

/** `n` commits: `touch(i)` gives the paths commit i touched. */
function commits(n: number, touch: (i: number) => string[]): string[][] {
  return Array.from({ length: n }, (_, i) => touch(i));
}

function level(text: string, line: number, facts: AnalysisFacts = {}): CacheRiskLevel {
  const s = analyze(text, facts).steps.find((x) => x.step.line === line);
  assert.ok(s, `no step at line ${line}`);
  return s.cacheRisk.level;
}

function reasons(text: string, line: number, facts: AnalysisFacts = {}): string[] {
  return analyze(text, facts).steps.find((x) => x.step.line === line)?.cacheRisk.reasons ?? [];
}

function summary(text: string, facts: AnalysisFacts = {}): string {
  const out = toText('Dockerfile', analyze(text, facts), { color: false });
  return /A typical source edit[^\n]*/.exec(out)?.[0] ?? '(no summary line)';
}

const FILES = ['tools/gen.sh', 'tools/seed.sql', 'src/main.py', 'src/util.py', 'requirements.txt', 'Dockerfile'];
const TOOLS_FIRST = df(
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY tools/ ./tools/',
  'RUN sh tools/gen.sh',
  'COPY requirements.txt ./',
  'RUN pip install -r requirements.txt',
  'COPY src/ ./src/',
  'RUN python -m compileall src',
);

test('git: a folder changed in 1 of the last 50 commits is medium, with that count; src/ is high', () => {
  const git = history(commits(50, (i) => (i === 7 ? ['tools/gen.sh', 'src/main.py'] : ['src/main.py'])));
  const facts = { git, context: context(FILES) };
  assert.equal(level(TOOLS_FIRST, 3, facts), 'medium');
  assert.equal(level(TOOLS_FIRST, 4, facts), 'medium', 'the RUN after it is not re-run by an ordinary edit');
  assert.equal(
    reasons(TOOLS_FIRST, 3, facts)[0],
    're-runs when a file under tools/ changes (COPY tools/ ./tools/ at line 3); these files changed in 1 of the last 50 commits; an ordinary edit does not touch them',
  );
  assert.equal(level(TOOLS_FIRST, 7, facts), 'high');
  assert.match(reasons(TOOLS_FIRST, 7, facts)[0], /a file under src\/ changes.*changed in 50 of the last 50 commits/);
  assert.equal(summary(TOOLS_FIRST, facts), 'A typical source edit re-runs 2 layer steps (lines 7, 8).');
  // and the same history, read as a neutral folder name without git, would be high: the history decided
  assert.equal(level(TOOLS_FIRST, 3, { context: context(FILES) }), 'high');
  assert.equal(
    summary(TOOLS_FIRST, { context: context(FILES) }),
    'A typical source edit re-runs 6 layer steps (lines 3, 4, 5, 6, 7, 8).',
  );
});

test('git: the threshold is a share of the commits that changed the build context', () => {
  const at = Math.ceil(ORDINARY_EDIT_SHARE * 50);
  const often = history(commits(50, (i) => (i < at ? ['tools/gen.sh'] : ['src/main.py'])));
  const rarely = history(commits(50, (i) => (i < at - 1 ? ['tools/gen.sh'] : ['src/main.py'])));
  assert.equal(level(TOOLS_FIRST, 3, { git: often, context: context(FILES) }), 'high');
  assert.equal(level(TOOLS_FIRST, 3, { git: rarely, context: context(FILES) }), 'medium');
  // commits that changed nothing in the build context (another project of a monorepo) do not count
  const mono = history(commits(50, (i) => (i % 5 === 0 ? ['src/main.py'] : i === 3 ? ['tools/gen.sh'] : [])));
  assert.equal(level(TOOLS_FIRST, 3, { git: mono, context: context(FILES) }), 'medium');
  assert.match(
    reasons(TOOLS_FIRST, 3, { git: mono, context: context(FILES) })[0],
    /changed in 1 of the 11 commits \(of the last 50\) that changed the build context; an ordinary edit does not touch them/,
  );
  assert.equal(level(TOOLS_FIRST, 7, { git: mono, context: context(FILES) }), 'high', '10 of 11 is ordinary');
});

test('git: too little history, or none about these files, leaves the judgement to what the files are', () => {
  const few = history(commits(MIN_EVIDENCE_COMMITS - 1, (i) => (i === 0 ? ['tools/gen.sh'] : ['src/main.py'])));
  assert.equal(level(TOOLS_FIRST, 3, { git: few, context: context(FILES) }), 'high');
  // a prebuilt binary git does not track (no commit names it) is judged as a build output: high
  const text = df('FROM debian:bookworm-slim', 'COPY dist/app /usr/local/bin/app', 'CMD ["app"]');
  const git = history(commits(50, () => ['src/main.go']));
  assert.equal(level(text, 2, { git, context: context(['dist/app', 'src/main.go']) }), 'high');
});

test('git: evidence beats names (a busy entrypoint is an ordinary edit), not manifests or the whole context', () => {
  const text = df(
    'FROM node:20-slim',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'COPY entrypoint.sh /entrypoint.sh',
    'COPY . .',
  );
  const files = ['package.json', 'package-lock.json', 'entrypoint.sh', 'index.js'];
  const busy = history(commits(50, () => ['entrypoint.sh', 'package.json']));
  const facts = { git: busy, context: context(files) };
  assert.equal(level(text, 5, facts), 'high');
  assert.equal(level(text, 3, facts), 'medium', 'manifests change with the dependencies, however often');
  // the whole context stays high even when the history says its files rarely change
  const quiet = history(commits(50, (i) => (i === 0 ? ['index.js'] : ['README.md'])));
  assert.equal(level(text, 6, { git: quiet, context: context([...files, 'README.md']) }), 'high');
  // without history, an entrypoint is not an ordinary edit
  assert.equal(level(text, 5, { context: context(files) }), 'medium');
  assert.match(reasons(text, 5, { context: context(files) })[0], /: a script, not what an ordinary edit touches$/);
});

test('no git: a Rust dependency pre-build (manifests, toolchain, build.rs, a local crate) is not re-run', () => {
  const text = df(
    'FROM rust:1.97.1-slim AS build',
    'WORKDIR /app',
    'RUN cargo new --bin /app',
    'COPY ./Cargo.* ./rust-toolchain.toml ./build.rs ./',
    'COPY ./macros ./macros',
    'RUN cargo build --release',
    'COPY . .',
    'RUN cargo build --release',
    'FROM debian:trixie-slim',
    'COPY docker/start.sh /',
    'COPY --from=build /app/target/release/app /app',
  );
  const files = ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'build.rs', 'macros/Cargo.toml'];
  const facts = { context: context([...files, 'macros/src/lib.rs', 'src/main.rs', 'docker/start.sh']) };
  assert.deepEqual(
    [4, 5, 6, 7, 8, 10, 11].map((l) => level(text, l, facts)),
    ['medium', 'medium', 'medium', 'high', 'high', 'medium', 'high'],
  );
  assert.match(reasons(text, 4, facts)[0], /dependency manifests, build settings and a build script, not what/);
  assert.match(reasons(text, 5, facts)[0], /a file under macros\/ changes .*a local crate/);
  assert.equal(summary(text, facts), 'A typical source edit re-runs 3 layer steps (lines 7, 8, 11).');
  // the hover of a re-run step gives the same rebuild cost; a step an ordinary edit does not re-run has none
  const a = analyze(text, facts);
  assert.match(
    stepHover(
      a,
      a.steps.find((s) => s.step.line === 8)!,
    ),
    /Rebuild cost of a source edit:\*\* re-runs lines 7, 8, 11/,
  );
  assert.doesNotMatch(
    stepHover(
      a,
      a.steps.find((s) => s.step.line === 6)!,
    ),
    /Rebuild cost/,
  );
  // a crate folder when the root is not itself an application crate (a virtual workspace) is the application's
  const workspace = { context: context(['Cargo.toml', 'Cargo.lock', 'macros/Cargo.toml', 'macros/src/lib.rs']) };
  assert.equal(level(text, 5, workspace), 'high');
});

test('no git: dependency artifacts are medium, the classes beside them high (layered jars)', () => {
  const text = df(
    'FROM eclipse-temurin:21-jre',
    'WORKDIR /app',
    'COPY target/dependency/BOOT-INF/lib /app/lib',
    'COPY target/dependency/META-INF /app/META-INF',
    'COPY target/dependency/BOOT-INF/classes /app',
  );
  assert.deepEqual(
    [3, 4, 5].map((l) => level(text, l)),
    ['medium', 'medium', 'high'],
  );
  assert.match(reasons(text, 3)[0], /dependency artifacts, not what an ordinary edit touches/);
  assert.match(reasons(text, 4)[0], /: jar metadata, not what an ordinary edit touches/);
  // the application jar a build leaves in target/ changes with every source edit
  assert.equal(
    level(df('FROM eclipse-temurin:21-jre', 'COPY target/app.jar /app.jar'), 2, {
      context: context(['target/app.jar']),
    }),
    'high',
  );
  for (const src of ['node_modules', 'app/BOOT-INF/lib', 'build/WEB-INF/lib', '.yarn', 'extracted/dependencies'])
    assert.equal(level(df('FROM node:20', `COPY ${src} /x/`), 2), 'medium', src);
  // vendor/ is dependencies beside its lock file, and not without one
  const withLock = { context: context(['composer.lock', 'composer.json', 'vendor/autoload.php', 'src/a.php']) };
  const noLock = { context: context(['vendor/x.php', 'src/a.php']) };
  assert.equal(level(df('FROM php:8.3', 'COPY vendor /app/vendor'), 2, withLock), 'medium');
  assert.equal(level(df('FROM php:8.3', 'COPY vendor /app/vendor'), 2, noLock), 'high');
});

test('no git: infrastructure files and folders are medium; source folders and files, and lookalikes, high', () => {
  const medium = [
    'COPY ./scripts/ /app/',
    'COPY ./alembic.ini /app/',
    'COPY ./prestart.sh /app/',
    'COPY docker/rootfs /',
    'COPY .mvn .mvn',
    'COPY build.rs ./',
    'COPY rust-toolchain.toml ./',
    'COPY vite.config.ts ./',
    'COPY jenkins-support /usr/local/bin/jenkins-support',
    'COPY initial-condarc /opt/conda/.condarc',
    'COPY nginx.conf /etc/nginx/conf.d/default.conf',
    'ADD install-redis /tmp/install-redis',
    'COPY LICENSE /LICENSE',
  ];
  for (const line of medium) assert.equal(level(df('FROM debian:bookworm-slim', line), 2), 'medium', line);
  const high = [
    'COPY . .',
    'COPY src/ /app/src/',
    'COPY app /app/app',
    'COPY main.py /app/',
    'COPY *.go ./',
    'COPY src/scripts ./scripts', // a scripts folder inside the sources is the application's
    'COPY .build/linux-amd64/prometheus /bin/prometheus', // a prebuilt binary changes with every source edit
    'COPY dist/app /usr/local/bin/app',
  ];
  for (const line of high) assert.equal(level(df('FROM debian:bookworm-slim', line), 2), 'high', line);
  // a folder of shell scripts is not a single script
  assert.equal(
    level(df('FROM busybox', 'COPY lib/ ./lib/'), 2, { context: context(['lib/a.sh', 'lib/b.sh']) }),
    'high',
  );
});

test('the summary line leaves out build scripts copied before the install (fastapi-style layout)', () => {
  const text = df(
    'FROM python:3.12',
    'WORKDIR /app/',
    'COPY ./pyproject.toml ./poetry.lock* /app/',
    'RUN poetry install --no-root',
    'COPY ./scripts/ /app/',
    'COPY ./alembic.ini /app/',
    'COPY ./prestart.sh /app/',
    'COPY ./app /app/app',
  );
  const facts = {
    context: context(['pyproject.toml', 'poetry.lock', 'scripts/test.sh', 'alembic.ini', 'prestart.sh', 'app/main.py']),
  };
  assert.equal(summary(text, facts), 'A typical source edit re-runs 1 layer step (line 8).');
});
