import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { applyFix, finalStage, findingOf, rewrite, stepsOf } from './rewriteHelpers';

const RULE = 'smaller-base-candidate';

const NODE = `FROM node:22
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "server.js"]
`;

test('node:22 with npm dependencies: -slim first, Alpine offered with a musl warning; saving in MB', () => {
  const a = analyze(NODE);
  const f = findingOf(a, RULE);
  assert.ok(f);
  assert.equal(f.line, 1);
  assert.match(f.message, /node:22-slim \(≈ \d+ MB less\)/);
  assert.match(f.message, /saves up to ≈ \d+ MB/);
  assert.equal(f.fixes[0].preferred, true);
  assert.match(f.fixes[0].title, /^Use node:22-slim \(saves ≈ \d+ MB\)/);
  const alpine = f.fixes.find((x) => /node:22-alpine/.test(x.title));
  assert.ok(alpine);
  assert.match(alpine.title, /musl, not glibc: native Node modules/);
});

test('applying the -slim fix changes only the tag; the rule is then satisfied', () => {
  const r = rewrite(NODE, RULE);
  assert.equal(r.text, NODE.replace('FROM node:22', 'FROM node:22-slim'));
  assert.equal(finalStage(r.after).from, 'node:22-slim');
  assert.equal(findingOf(r.after, RULE), undefined);
  assert.deepEqual(r.after.model.problems, []);
});

test('after the rewrite the image estimate is recomputed and smaller', () => {
  const r = rewrite(NODE, RULE);
  assert.ok(r.before.image && r.after.image);
  assert.ok(r.after.image.bytes < r.before.image.bytes, `${r.after.image.bytes} < ${r.before.image.bytes}`);
});

test('python:3.12-bookworm goes to python:3.12-slim-bookworm (the release stays last)', () => {
  const text = 'FROM python:3.12-bookworm\nCOPY app.py /app.py\nCMD ["python", "/app.py"]\n';
  const r = rewrite(text, RULE);
  assert.equal(finalStage(r.after).from, 'python:3.12-slim-bookworm');
});

test('Debian to Alpine without musl risks: Alpine first, apt-get install translated to apk add', () => {
  const text = [
    'FROM debian:trixie',
    '# tools',
    'RUN apt-get update \\',
    '    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates netcat-openbsd \\',
    '    && rm -rf /var/lib/apt/lists/* \\',
    '    && mkdir -p /data',
    'COPY run.sh /run.sh',
    'CMD ["/run.sh"]',
    '',
  ].join('\n');
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  const first = f.fixes[0];
  assert.match(first.title, /^Use alpine:3\.\d+ \(saves ≈ \d+ MB; apt-get installs become apk add\)$/);
  assert.equal(first.preferred, true);
  assert.ok(f.fixes.some((x) => /debian:trixie-slim/.test(x.title)));
  const out = applyFix(text, first);
  assert.equal(
    out,
    [
      'FROM alpine:3.24',
      '# tools',
      'RUN apk add --no-cache curl ca-certificates netcat-openbsd \\',
      '    && mkdir -p /data',
      'COPY run.sh /run.sh',
      'CMD ["/run.sh"]',
      '',
    ].join('\n'),
  );
  const after = analyze(out);
  assert.equal(findingOf(after, RULE), undefined);
  const run = stepsOf(after, finalStage(after)).find((s) => s.keyword === 'RUN');
  assert.ok(run);
  assert.match(run.command, /^apk add --no-cache curl ca-certificates netcat-openbsd\s+&& mkdir -p \/data$/);
});

test('a package without a known Alpine name: only -slim is offered', () => {
  const text = 'FROM debian:trixie\nRUN apt-get update && apt-get install -y libsomething-exotic7\n';
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.deepEqual(
    f.fixes.map((x) => x.title.split(' (')[0]),
    ['Use debian:trixie-slim'],
  );
});

test('pip installs make Alpine risky: -slim leads, Alpine warns about wheels', () => {
  const text = 'FROM python:3.12\nRUN pip install numpy\nCMD ["python"]\n';
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.match(f.fixes[0].title, /^Use python:3\.12-slim/);
  assert.match(f.fixes[1].title, /python:3\.12-alpine .*musl, not glibc: Python wheels/);
});

test('-slim lacks tools of the full image: the title says which', () => {
  const text = 'FROM node:22\nRUN curl -fsSL https://example.invalid/x -o /x\nCMD ["node"]\n';
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  const slim = f.fixes.find((x) => /node:22-slim/.test(x.title));
  assert.ok(slim);
  assert.match(slim.title, /-slim has no curl \(used at line 2\)/);
});

test('ARGs in FROM are resolved, and the variable stays in the rewritten FROM', () => {
  const text = 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}\nCMD ["node"]\n';
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.match(f.message, /node:22 /);
  const out = applyFix(text, f.fixes[0]);
  assert.equal(out, 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-slim\nCMD ["node"]\n');
  assert.equal(finalStage(analyze(out)).from, 'node:22-slim');
});

test('a JDK image that only runs a jar goes to the JRE; one that builds is left to multi-stage-candidate', () => {
  const runs = 'FROM eclipse-temurin:21-jdk\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n';
  const f = findingOf(analyze(runs), RULE);
  assert.ok(f);
  assert.match(f.fixes[0].title, /^Use eclipse-temurin:21-jre \(saves ≈ \d+ MB\)/);
  const builds =
    'FROM eclipse-temurin:21-jdk\nCOPY . /src\nWORKDIR /src\nRUN ./mvnw package\nCMD ["java", "-jar", "target/app.jar"]\n';
  const g = findingOf(analyze(builds), RULE);
  assert.ok(!g || g.fixes.every((x) => !/-jre/.test(x.title)));
});

test('not reported on slim, alpine, distroless, scratch, or on earlier stages', () => {
  for (const from of [
    'node:22-slim',
    'python:3.12-alpine',
    'gcr.io/distroless/static-debian12',
    'scratch',
    'debian:bookworm-slim',
  ]) {
    assert.equal(findingOf(analyze(`FROM ${from}\nCOPY a /a\n`), RULE), undefined, from);
  }
  const multi = 'FROM node:22 AS build\nRUN echo hi > /x\nFROM node:22-alpine\nCOPY --from=build /x /x\n';
  assert.equal(findingOf(analyze(multi), RULE), undefined);
});

test('CRLF files keep CRLF through the apt-get to apk translation', () => {
  const text =
    'FROM debian:trixie\r\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\r\nCMD ["sh"]\r\n';
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  const out = applyFix(text, f.fixes[0]);
  assert.equal(out, 'FROM alpine:3.24\r\nRUN apk add --no-cache curl\r\nCMD ["sh"]\r\n');
});

// ---------------------------------------------------------------------------------------------------------
// Native code compiled with the full image's compilers (issue 16, item 4)

const PSYCOPG = `FROM python:3.12
WORKDIR /app
RUN pip install --no-cache-dir psycopg2==2.9.9 flask
COPY . .
CMD ["flask", "run"]
`;

test('psycopg2 (source only) compiled with the full image: -slim warns what to add, Alpine is not offered', () => {
  const f = findingOf(analyze(PSYCOPG), RULE);
  assert.ok(f);
  assert.deepEqual(
    f.fixes.map((x) => /^Use (\S+)/.exec(x.title)?.[1]),
    ['python:3.12-slim'],
  );
  assert.match(
    f.fixes[0].title,
    /psycopg2 compiles a C extension \(line 3\): -slim has no compiler; add build-essential libpq-dev/,
  );
  assert.match(f.message, /Alpine is not offered: the stage compiles native code/);
});

test('psycopg2-binary has wheels: nothing compiles, Alpine is offered as before', () => {
  const f = findingOf(analyze(PSYCOPG.replace('psycopg2==2.9.9', 'psycopg2-binary')), RULE);
  assert.ok(f);
  assert.ok(f.fixes.some((x) => /python:3\.12-alpine/.test(x.title)));
  assert.ok(!/compiles/.test(f.fixes[0].title));
});

test('a requirements file read from the context names mysqlclient: the same warning', () => {
  const text = `FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
CMD ["python", "app.py"]
`;
  const facts = {
    context: {
      root: '/ctx',
      files: [{ path: 'requirements.txt', bytes: 30 }],
      truncated: false,
      hasDockerignore: false,
      contents: { 'requirements.txt': 'Django==5.0\nmysqlclient>=2.2 # db\n' },
    },
  };
  const f = findingOf(analyze(text, facts), RULE);
  assert.ok(f);
  assert.equal(f.fixes.length, 1);
  assert.match(
    f.fixes[0].title,
    /mysqlclient compiles a C extension.*add build-essential default-libmysqlclient-dev pkg-config/,
  );
});

test('cchardet has wheels for Python 3.6 (not for 3.12): a warning only where it compiles', () => {
  const text = (tag: string): string => `FROM python:${tag}\nRUN pip install cchardet\nCMD ["python"]\n`;
  const old = findingOf(analyze(text('3.6')), RULE);
  assert.ok(old && !/compiles/.test(old.message + old.fixes.map((x) => x.title).join()));
  const now = findingOf(analyze(text('3.12')), RULE);
  assert.ok(now);
  assert.match(now.fixes[0].title, /cchardet compiles a C extension/);
});

test('a stage that installs its own compiler and -dev packages is not warned about (they come along)', () => {
  const text = PSYCOPG.replace(
    'RUN pip',
    'RUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN pip',
  );
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.ok(!/compiles/.test(f.message + f.fixes.map((x) => x.title).join()));
});

test('native npm addons (bcrypt) and gems with extensions (bundle install): -slim warns, no Alpine', () => {
  const node = findingOf(analyze('FROM node:20\nWORKDIR /app\nRUN npm install bcrypt\nCMD ["node", "."]\n'), RULE);
  assert.ok(node);
  assert.equal(node.fixes.length, 1);
  assert.match(node.fixes[0].title, /bcrypt build native addons .*add python3 make g\+\+/);
  const ruby = findingOf(
    analyze('FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCMD ["ruby", "app.rb"]\n'),
    RULE,
  );
  assert.ok(ruby);
  assert.ok(ruby.fixes.every((x) => !/alpine/.test(x.title)));
  assert.match(ruby.fixes[0].title, /bundle install compiles gems with native extensions/);
});

test('static files copied into nginx html: no musl warning; a binary copied elsewhere keeps it', () => {
  const text = `FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM nginx:1
COPY --from=build /app/dist/ /usr/share/nginx/html
`;
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  const alpine = f.fixes.find((x) => /nginx:1-alpine/.test(x.title));
  assert.ok(alpine);
  assert.doesNotMatch(alpine.title, /musl/);
  const binary = findingOf(analyze(text + 'COPY --from=build /app/bin/tool /usr/local/bin/tool\n'), RULE);
  assert.match(binary!.fixes.find((x) => /alpine/.test(x.title))!.title, /glibc-linked binaries \(line 8\)/);
});

test('a native addon the lockfile marks with an install script (npm ci): the same -slim warning', () => {
  const lock = JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { name: 'app' },
      'node_modules/bcrypt': { version: '5.1.1', hasInstallScript: true, license: 'MIT' },
      'node_modules/esbuild': { version: '0.21.5', hasInstallScript: true },
    },
  });
  const facts = {
    context: {
      root: '/ctx',
      files: [{ path: 'package-lock.json', bytes: lock.length }],
      truncated: false,
      hasDockerignore: false,
      contents: { 'package-lock.json': lock },
    },
  };
  const text = 'FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCMD ["node", "."]\n';
  const f = findingOf(analyze(text, facts), RULE);
  assert.ok(f);
  assert.equal(f.fixes.length, 1, 'no Alpine');
  assert.match(f.fixes[0].title, /bcrypt build native addons/);
  assert.doesNotMatch(f.fixes[0].title, /esbuild/, 'an install script alone is not native code');
  // without the lockfile nothing says so: Alpine is offered with its musl warning, as before
  assert.ok(findingOf(analyze(text), RULE)!.fixes.some((x) => /alpine/.test(x.title)));
});

const DOTNET = (
  runtime: string,
  sdk = 'mcr.microsoft.com/dotnet/sdk:10.0',
): string => `FROM --platform=$BUILDPLATFORM ${sdk} AS build
ARG TARGETARCH
WORKDIR /source
COPY --link aspnetapp/*.csproj .
RUN dotnet restore -a $TARGETARCH
COPY --link aspnetapp/. .
RUN dotnet publish -a $TARGETARCH --no-restore -o /app

FROM ${runtime}
WORKDIR /app
COPY --link --from=build /app .
ENTRYPOINT ["./aspnetapp"]
`;

test('.NET on Debian/Ubuntu: the Alpine fix moves the SDK stage too (the apphost is published for musl), as the dotnet samples do', () => {
  for (const runtime of ['mcr.microsoft.com/dotnet/aspnet:10.0', 'mcr.microsoft.com/dotnet/aspnet:10.0-noble']) {
    const a = analyze(DOTNET(runtime));
    const f = findingOf(a, RULE);
    assert.ok(f, runtime);
    const fix = f.fixes.find((x) => /10\.0-alpine/.test(x.title));
    assert.ok(fix, f.fixes.map((x) => x.title).join(' | '));
    assert.match(fix.title, /SDK stage \(line 1\) moves to Alpine too/);
    assert.match(fix.title, /invariant globalization/);
    assert.doesNotMatch(fix.title, /glibc-linked binaries/, 'the copied app is published for musl now');
    const fixed = applyFix(DOTNET(runtime), fix);
    assert.equal(
      fixed,
      DOTNET('mcr.microsoft.com/dotnet/aspnet:10.0-alpine', 'mcr.microsoft.com/dotnet/sdk:10.0-alpine'),
    );
  }
});

test('.NET tags without an Alpine sibling (Azure Linux, distroless, Nano Server, Windows Server Core, chiseled) get no finding', () => {
  for (const tag of [
    '10.0-azurelinux3.0',
    '10.0-azurelinux3.0-distroless',
    '10.0-nanoserver-ltsc2022',
    '10.0-windowsservercore-ltsc2022',
    '10.0-noble-chiseled',
  ]) {
    const a = analyze(DOTNET(`mcr.microsoft.com/dotnet/aspnet:${tag}`));
    assert.equal(findingOf(a, RULE), undefined, tag);
  }
});

test('.NET: the SDK named up a chain of stages moves; not when another stage built on it runs commands (a dev stage with apt-get)', () => {
  const chain = [
    'FROM mcr.microsoft.com/dotnet/sdk:6.0 AS base',
    'WORKDIR /src',
    'COPY app.csproj ./',
    'RUN dotnet restore',
    'FROM base AS publisher',
    'COPY . .',
    'RUN dotnet publish -c Release -o /build',
    'FROM mcr.microsoft.com/dotnet/aspnet:6.0',
    'COPY --from=publisher /build .',
    'CMD ["dotnet", "app.dll"]',
    '',
  ].join('\n');
  const moved = findingOf(analyze(chain), RULE)?.fixes.find((x) => /6\.0-alpine/.test(x.title));
  assert.ok(moved);
  assert.match(applyFix(chain, moved), /^FROM mcr\.microsoft\.com\/dotnet\/sdk:6\.0-alpine AS base$/m);
  const withDev = chain.replace(
    'FROM mcr.microsoft.com/dotnet/aspnet:6.0',
    'FROM base AS dev\nRUN apt-get update && apt-get install -y git\nFROM mcr.microsoft.com/dotnet/aspnet:6.0',
  );
  const kept = findingOf(analyze(withDev), RULE)?.fixes.find((x) => /6\.0-alpine/.test(x.title));
  assert.ok(kept);
  assert.match(
    applyFix(withDev, kept),
    /^FROM mcr\.microsoft\.com\/dotnet\/sdk:6\.0 AS base$/m,
    'the dev stage keeps its Debian SDK',
  );
  assert.match(kept.title, /glibc-linked binaries/);
});
