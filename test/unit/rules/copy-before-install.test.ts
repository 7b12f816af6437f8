import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGitLog } from '../../../server/src/facts/git';
import { applyFix, context, df, findings } from '../fixes';

const RULE = 'copy-before-install';

test('npm: COPY . . before npm ci is flagged at the COPY; the fix copies package*.json first', () => {
  const text = df(
    'FROM node:20-slim',
    'WORKDIR /app',
    '# bring everything in',
    'COPY --chown=node:node . .',
    'RUN npm ci',
    'RUN npm run build',
    'CMD ["node", "dist/index.js"]',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 4);
  assert.equal(f[0].severity, 'warning');
  assert.match(f[0].message, /line 5 installs npm dependencies/);
  const { fixed, after } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM node:20-slim',
      'WORKDIR /app',
      'COPY --chown=node:node package*.json ./',
      'RUN npm ci',
      '# bring everything in',
      'COPY --chown=node:node . .',
      'RUN npm run build',
      'CMD ["node", "dist/index.js"]',
    ),
  );
  assert.equal(after.findings.filter((x) => x.rule === RULE).length, 0);
});

test('the fix copies only the manifests that exist in the context', () => {
  const text = df('FROM node:20', 'WORKDIR /srv', 'COPY . .', 'RUN yarn install --frozen-lockfile', 'RUN yarn build');
  const facts = { context: context(['package.json', 'yarn.lock', '.yarnrc.yml', 'src/index.ts', 'README.md']) };
  const { fixed } = applyFix(text, RULE, facts);
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'WORKDIR /srv',
      'COPY package.json yarn.lock .yarnrc.yml ./',
      'RUN yarn install --frozen-lockfile',
      'COPY . .',
      'RUN yarn build',
    ),
  );
});

test('pnpm, with a source folder COPY and an absolute destination kept absolute', () => {
  const text = df(
    'FROM node:20',
    'WORKDIR /app',
    'COPY src /app/src',
    'COPY package.json pnpm-lock.yaml /app/',
    'RUN pnpm install --frozen-lockfile',
  );
  assert.equal(findings(text, RULE).length, 1);
  const { fixed } = applyFix(text, RULE);
  // the manifests are already copied separately: the source copy only moves below the install
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'WORKDIR /app',
      'COPY package.json pnpm-lock.yaml /app/',
      'RUN pnpm install --frozen-lockfile',
      'COPY src /app/src',
    ),
  );
});

test('pip install -r: the named requirements file is copied first (CRLF file keeps CRLF)', () => {
  const text = [
    'FROM python:3.12-slim',
    'WORKDIR /code',
    'COPY . .',
    'RUN pip install --no-cache-dir -r requirements/prod.txt',
    'CMD ["python", "app.py"]',
    '',
  ].join('\r\n');
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    [
      'FROM python:3.12-slim',
      'WORKDIR /code',
      'COPY requirements/prod.txt requirements/',
      'RUN pip install --no-cache-dir -r requirements/prod.txt',
      'COPY . .',
      'CMD ["python", "app.py"]',
      '',
    ].join('\r\n'),
  );
});

test('pip install . and pip install -e . need the sources: no finding', () => {
  assert.equal(
    findings(df('FROM python:3.12', 'COPY . /src', 'WORKDIR /src', 'RUN pip install --no-cache-dir .'), RULE).length,
    0,
  );
  assert.equal(
    findings(df('FROM python:3.12', 'COPY . /src', 'WORKDIR /src', 'RUN pip install --no-cache-dir -e .'), RULE).length,
    0,
  );
});

test('poetry install without --no-root: --no-root before the sources, the project after; with --no-root a move', () => {
  const a = findings(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN poetry install'), RULE);
  assert.equal(a.length, 1);
  assert.match(a[0].message, /--no-root/);
  assert.equal(
    applyFix(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN poetry install'), RULE).fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY pyproject.toml poetry.lock* ./',
      'RUN poetry install --no-root',
      'COPY . .',
      'RUN poetry install',
    ),
  );
  const { fixed } = applyFix(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN poetry install --no-root'), RULE);
  assert.equal(
    fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY pyproject.toml poetry.lock* ./',
      'RUN poetry install --no-root',
      'COPY . .',
    ),
  );
});

test('pipenv and uv sync --no-install-project', () => {
  assert.equal(
    applyFix(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN pipenv install --system --deploy'), RULE).fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY Pipfile Pipfile.lock* ./',
      'RUN pipenv install --system --deploy',
      'COPY . .',
    ),
  );
  assert.equal(
    applyFix(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN uv sync --frozen --no-install-project'), RULE)
      .fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY pyproject.toml uv.lock* ./',
      'RUN uv sync --frozen --no-install-project',
      'COPY . .',
    ),
  );
});

test('bundler and composer', () => {
  assert.equal(
    applyFix(df('FROM ruby:3.3', 'WORKDIR /app', 'COPY . .', 'RUN bundle install'), RULE).fixed,
    df('FROM ruby:3.3', 'WORKDIR /app', 'COPY Gemfile Gemfile.lock* ./', 'RUN bundle install', 'COPY . .'),
  );
  assert.equal(
    applyFix(df('FROM composer:2', 'WORKDIR /app', 'COPY . .', 'RUN composer install --no-dev'), RULE).fixed,
    df(
      'FROM composer:2',
      'WORKDIR /app',
      'COPY composer.json composer.lock* ./',
      'RUN composer install --no-dev --no-scripts --no-autoloader',
      'COPY . .',
      'RUN composer dump-autoload --optimize --no-dev && composer run-script post-install-cmd --no-dev',
    ),
  );
});

test('go: COPY . . then go build gets go.mod/go.sum and go mod download first; the right order is no finding', () => {
  const text = df(
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN --mount=type=cache,target=/go/pkg/mod go build -o /out/app ./cmd/app',
    'FROM scratch',
    'COPY --from=build /out/app /app',
  );
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM golang:1.22 AS build',
      'WORKDIR /src',
      'COPY go.mod go.sum* ./',
      'RUN --mount=type=cache,target=/go/pkg/mod go mod download',
      'COPY . .',
      'RUN --mount=type=cache,target=/go/pkg/mod go build -o /out/app ./cmd/app',
      'FROM scratch',
      'COPY --from=build /out/app /app',
    ),
  );
  assert.equal(
    findings(
      df(
        'FROM golang:1.22',
        'WORKDIR /src',
        'COPY go.mod go.sum ./',
        'RUN go mod download',
        'COPY . .',
        'RUN go build ./...',
      ),
      RULE,
    ).length,
    0,
  );
  // go install of a pinned tool needs no module
  assert.equal(
    findings(df('FROM golang:1.22', 'COPY . /src', 'RUN go install golang.org/x/tools/gopls@v0.16.0'), RULE).length,
    0,
  );
});

test('cargo build after COPY . .: cargo fetch with a stub src/main.rs before the sources', () => {
  assert.equal(
    // removed-in-later-layer takes the stub's `rm -r src` for a deletion of files an earlier COPY made (issue 16
    // item 5: the RUN deletes what it created itself)
    applyFix(
      df('FROM rust:1.79', 'WORKDIR /app', 'COPY . .', 'RUN cargo build --release'),
      RULE,
      {},
      { otherRulesMayChange: true },
    ).fixed,
    df(
      'FROM rust:1.79',
      'WORKDIR /app',
      'COPY Cargo.toml Cargo.lock* ./',
      "RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo fetch && rm -r src",
      'COPY . .',
      'RUN cargo build --release',
    ),
  );
});

test('maven, gradle and dotnet builds get an explicit resolve step', () => {
  assert.equal(
    applyFix(
      df(
        'FROM maven:3.9-eclipse-temurin-21',
        'WORKDIR /build',
        'COPY src ./src',
        'COPY pom.xml .',
        'RUN mvn -B package',
      ),
      RULE,
    ).fixed,
    df(
      'FROM maven:3.9-eclipse-temurin-21',
      'WORKDIR /build',
      'COPY pom.xml .',
      'RUN mvn -B dependency:go-offline',
      'COPY src ./src',
      'RUN mvn -B package',
    ),
  );
  assert.equal(
    applyFix(df('FROM gradle:8-jdk21', 'WORKDIR /home/gradle', 'COPY . .', 'RUN gradle build --no-daemon'), RULE, {
      context: context(['build.gradle.kts', 'settings.gradle.kts', 'src/Main.kt']),
    }).fixed,
    df(
      'FROM gradle:8-jdk21',
      'WORKDIR /home/gradle',
      'COPY build.gradle.kts settings.gradle.kts ./',
      'RUN gradle dependencies --no-daemon',
      'COPY . .',
      'RUN gradle build --no-daemon',
    ),
  );
  assert.equal(
    applyFix(
      df(
        'FROM mcr.microsoft.com/dotnet/sdk:8.0',
        'WORKDIR /source',
        'COPY . .',
        'RUN dotnet publish -c Release -o /app',
      ),
      RULE,
      { context: context(['aspnetapp.csproj', 'Program.cs']) },
    ).fixed,
    df(
      'FROM mcr.microsoft.com/dotnet/sdk:8.0',
      'WORKDIR /source',
      'COPY aspnetapp.csproj ./',
      'RUN dotnet restore',
      'COPY . .',
      'RUN dotnet publish -c Release -o /app',
    ),
  );
  // dotnet restore first, then a build with --no-restore: nothing to say
  assert.equal(
    findings(
      df(
        'FROM mcr.microsoft.com/dotnet/sdk:8.0',
        'COPY *.csproj ./',
        'RUN dotnet restore',
        'COPY . .',
        'RUN dotnet publish --no-restore',
      ),
      RULE,
    ).length,
    0,
  );
});

test('the install in a heredoc body counts', () => {
  const text = df(
    'FROM node:20',
    'WORKDIR /app',
    'COPY . .',
    'RUN <<EOF',
    'set -e',
    'npm ci',
    'EOF',
    'CMD ["node", "."]',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'WORKDIR /app',
      'COPY package*.json ./',
      'RUN <<EOF',
      'set -e',
      'npm ci',
      'EOF',
      'COPY . .',
      'CMD ["node", "."]',
    ),
  );
});

test('multi-stage: every stage is checked; COPY --from and manifest-only copies are not findings', () => {
  const text = df(
    'FROM node:20 AS deps',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'FROM node:20 AS build',
    'WORKDIR /app',
    'COPY --from=deps /app/node_modules ./node_modules',
    'COPY . .',
    'RUN npm run build',
    'FROM python:3.12 AS docs',
    'COPY docs /docs',
    'RUN pip install -r /docs/requirements.txt',
    'FROM nginx:1.27',
    'COPY --from=build /app/dist /usr/share/nginx/html',
  );
  const f = findings(text, RULE);
  assert.deepEqual(
    f.map((x) => x.line),
    [11],
  );
});

test('a build step mixed into the install RUN: the RUN is split, the build runs after the sources', () => {
  assert.equal(
    applyFix(df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci && npm run build'), RULE).fixed,
    df('FROM node:20', 'WORKDIR /app', 'COPY package*.json ./', 'RUN npm ci', 'COPY . .', 'RUN npm run build'),
  );
});

test('steps between the copy and the install that need no sources stay put; WORKDIR changes block a relative move', () => {
  const text = df(
    'FROM python:3.12',
    'WORKDIR /app',
    'COPY . .',
    'ENV PIP_NO_CACHE_DIR=1',
    'RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*',
    'RUN pip install -r requirements.txt',
  );
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY requirements.txt ./',
      'ENV PIP_NO_CACHE_DIR=1',
      'RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*',
      'RUN pip install -r requirements.txt',
      'COPY . .',
    ),
  );
  const moved = findings(df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'WORKDIR /app/web', 'RUN npm ci'), RULE);
  assert.equal(moved.length, 1);
  assert.equal(moved[0].fixes.length, 0);
});

test('install dir reached through cd and a COPY to another folder maps to the right context path', () => {
  const text = df('FROM node:20', 'COPY . /repo', 'RUN cd /repo/web && npm ci');
  const { fixed } = applyFix(text, RULE, {
    context: context(['web/package.json', 'web/package-lock.json', 'web/src/a.js', 'api/main.go']),
  });
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'COPY web/package.json web/package-lock.json /repo/web/',
      'RUN cd /repo/web && npm ci',
      'COPY . /repo',
    ),
  );
});

test('no fix when the context lacks the manifest the install needs', () => {
  const f = findings(df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci'), RULE, {
    context: context(['index.js']),
  });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});

test('lowercase instructions and ignore pragmas', () => {
  const { fixed } = applyFix(df('from node:20', 'workdir /app', 'copy . .', 'run npm install'), RULE);
  assert.equal(fixed, df('from node:20', 'workdir /app', 'copy package*.json ./', 'run npm install', 'copy . .'));
  assert.equal(
    findings(
      df('FROM node:20', 'WORKDIR /app', '# layer-insight ignore=copy-before-install', 'COPY . .', 'RUN npm ci'),
      RULE,
    ).length,
    0,
  );
});

test('a lone source file built with go build has no dependencies to resolve: no finding', () => {
  assert.equal(
    findings(
      df('FROM golang:1.22', 'WORKDIR /src', 'COPY main.go main.go', 'RUN CGO_ENABLED=0 go build -o backend main.go'),
      RULE,
    ).length,
    0,
  );
  assert.equal(
    findings(
      df('FROM golang:1.22', 'WORKDIR /src', 'COPY go.mod ./', 'COPY main.go ./', 'RUN go build -o backend .'),
      RULE,
    ).length,
    1,
  );
});

test('python -m venv between the copy and the install needs no sources: the fix is offered', () => {
  const text = df(
    'FROM python:3.12-alpine',
    'WORKDIR /home/app',
    'COPY --chown=app:app . .',
    'ENV VIRTUAL_ENV=/home/app/venv',
    'RUN python -m venv $VIRTUAL_ENV',
    'RUN pip install --no-cache-dir -r requirements.txt',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM python:3.12-alpine',
      'WORKDIR /home/app',
      'COPY --chown=app:app requirements.txt ./',
      'ENV VIRTUAL_ENV=/home/app/venv',
      'RUN python -m venv $VIRTUAL_ENV',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'COPY --chown=app:app . .',
    ),
  );
});

test('a COPY of build scripts before the install is not a source copy (what an ordinary edit touches decides)', () => {
  const text = df(
    'FROM python:3.12',
    'WORKDIR /usr/src/app',
    'COPY virtualization/Docker/ virtualization/Docker/',
    'RUN virtualization/Docker/setup_docker_prereqs',
    'COPY scripts/ ./scripts/',
    'COPY entrypoint.sh build.rs ./',
    'COPY requirements.txt requirements.txt',
    'RUN pip install --no-cache-dir -r requirements.txt',
    'COPY . .',
  );
  assert.deepEqual(findings(text, RULE), []);
  // a source folder in the same place is flagged
  const flagged = findings(text.replace('COPY scripts/ ./scripts/', 'COPY src/ ./src/'), RULE);
  assert.deepEqual(
    flagged.map((f) => f.line),
    [5],
  );
});

test('with git history, a folder that rarely changes copied before the install is not flagged; a busy one is', () => {
  const text = df(
    'FROM node:20',
    'WORKDIR /app',
    'COPY tools ./tools',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'COPY . .',
  );
  const files = ['tools/gen.js', 'package.json', 'package-lock.json', 'index.js'];
  const log = (touch: (i: number) => string) =>
    parseGitLog(Array.from({ length: 40 }, (_, i) => `\u001e\n\n${touch(i)}\n`).join(''));
  const rare = { context: context(files), git: log((i) => (i === 5 ? 'tools/gen.js' : 'index.js')) };
  const busy = { context: context(files), git: log((i) => (i % 2 ? 'tools/gen.js' : 'index.js')) };
  assert.deepEqual(findings(text, RULE, rare), []);
  assert.deepEqual(
    findings(text, RULE, busy).map((f) => f.line),
    [3],
  );
  // without history, tools/ is a folder of the application
  assert.equal(findings(text, RULE, { context: context(files) }).length, 1);
});

test('without the context, optional lockfiles are name* globs (the COPY cannot fail), required ones plain', () => {
  const cases: [string, string, string][] = [
    ['FROM node:20', 'RUN yarn install', 'COPY package.json yarn.lock* ./'],
    ['FROM node:20', 'RUN pnpm install', 'COPY package.json pnpm-lock.yaml* ./'],
    ['FROM node:20', 'RUN npm ci', 'COPY package*.json ./'],
    ['FROM golang:1.22', 'RUN go mod download', 'COPY go.mod go.sum* ./'],
    ['FROM ruby:3.3', 'RUN bundle install', 'COPY Gemfile Gemfile.lock* ./'],
    ['FROM python:3.12', 'RUN pip install -r requirements.txt', 'COPY requirements.txt ./'],
  ];
  for (const [from, install, copy] of cases) {
    const { fixed } = applyFix(df(from, 'WORKDIR /app', 'COPY . .', install), RULE);
    assert.equal(fixed, df(from, 'WORKDIR /app', copy, install, 'COPY . .'));
  }
  // a truncated listing says nothing about which files exist: the same names
  const cut = { context: { ...context(['package.json']), truncated: true } };
  const { fixed } = applyFix(df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN yarn install'), RULE, cut);
  assert.match(fixed, /COPY package.json yarn.lock\* \.\//);
});

test('a destination written with a variable the analysis cannot resolve is kept verbatim (${GOPATH})', () => {
  // GOPATH comes from the golang image's ENV: unknown here, it would expand to nothing
  const text = df(
    'FROM golang:1.22',
    'COPY . ${GOPATH}/src/example.org/app',
    'WORKDIR ${GOPATH}/src/example.org/app',
    'RUN go mod download',
    'RUN go build -o /app .',
  );
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM golang:1.22',
      'COPY go.mod go.sum* ${GOPATH}/src/example.org/app/',
      'WORKDIR ${GOPATH}/src/example.org/app',
      'RUN go mod download',
      'COPY . ${GOPATH}/src/example.org/app',
      'RUN go build -o /app .',
    ),
  );
  // a build that resolves implicitly: the resolve step cds into the folder as written
  const build = df('FROM golang:1.22', 'COPY . $GOPATH/src/app/', 'WORKDIR $GOPATH/src/app', 'RUN go build -o /app .');
  const r = applyFix(build, RULE, { context: context(['go.mod', 'main.go']) });
  assert.equal(
    r.fixed,
    df(
      'FROM golang:1.22',
      'COPY go.mod $GOPATH/src/app/',
      'RUN cd $GOPATH/src/app && go mod download',
      'COPY . $GOPATH/src/app/',
      'WORKDIR $GOPATH/src/app',
      'RUN go build -o /app .',
    ),
  );
});

test('npm workspaces: every member package.json is copied into its folder, one COPY per folder', () => {
  const files = [
    'package.json',
    'package-lock.json',
    'packages/api/package.json',
    'packages/api/src/main.js',
    'packages/shared/package.json',
    'packages/shared/index.js',
    'docs/package.json',
  ];
  const facts = { context: { ...context(files), workspaces: { 'package.json': ['packages/*'] } } };
  const text = df('FROM node:20', 'WORKDIR /repo', 'COPY --chown=node . .', 'RUN npm ci', 'RUN npm run build -ws');
  const { fixed } = applyFix(text, RULE, facts);
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'WORKDIR /repo',
      'COPY --chown=node package.json package-lock.json ./',
      'COPY --chown=node packages/api/package.json packages/api/',
      'COPY --chown=node packages/shared/package.json packages/shared/',
      'RUN npm ci',
      'COPY --chown=node . .',
      'RUN npm run build -ws',
    ),
  );
});

test('Go workspaces: go.work and each module of it', () => {
  const files = ['go.work', 'go.work.sum', 'api/go.mod', 'api/go.sum', 'api/main.go', 'lib/go.mod', 'lib/lib.go'];
  const facts = { context: { ...context(files), workspaces: { 'go.work': ['./api', './lib'] } } };
  const text = df('FROM golang:1.22', 'WORKDIR /src', 'COPY . .', 'RUN go mod download', 'RUN go build ./api');
  const { fixed } = applyFix(text, RULE, facts);
  assert.equal(
    fixed,
    df(
      'FROM golang:1.22',
      'WORKDIR /src',
      'COPY go.work go.work.sum ./',
      'COPY api/go.mod api/go.sum api/',
      'COPY lib/go.mod lib/',
      'RUN go mod download',
      'COPY . .',
      'RUN go build ./api',
    ),
  );
});

test('workspaces whose members cannot be copied: the finding has no fix and says why', () => {
  const text = df('FROM node:20', 'WORKDIR /repo', 'COPY . .', 'RUN pnpm install --frozen-lockfile');
  // pnpm-workspace.yaml listed but not read
  const unread = findings(text, RULE, { context: context(['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) });
  assert.equal(unread.length, 1);
  assert.equal(unread[0].fixes.length, 0);
  assert.match(unread[0].message, /No quick fix: a workspace, and pnpm-workspace\.yaml was not read/);
  // a listing cut short may miss members
  const cut = {
    context: {
      ...context(['package.json', 'apps/a/package.json']),
      truncated: true,
      workspaces: { 'package.json': ['apps/*'] },
    },
  };
  const f = findings(df('FROM node:20', 'WORKDIR /repo', 'COPY . .', 'RUN npm ci'), RULE, cut);
  assert.equal(f[0].fixes.length, 0);
  assert.match(f[0].message, /stopped early/);
  // a Cargo workspace: members need sources before cargo reads them
  const cargo = {
    context: {
      ...context(['Cargo.toml', 'Cargo.lock', 'a/Cargo.toml', 'a/src/lib.rs']),
      workspaces: { 'Cargo.toml': ['a'] },
    },
  };
  const c = findings(df('FROM rust:1', 'WORKDIR /w', 'COPY . .', 'RUN cargo fetch'), RULE, cargo);
  assert.equal(c[0].fixes.length, 0);
  assert.match(c[0].message, /No quick fix: a Cargo workspace: its 1 members need their sources/);
});

test('Yarn 2+ releases and plugins, and install-time patches, come with the manifests', () => {
  const files = [
    'package.json',
    'yarn.lock',
    '.yarnrc.yml',
    '.yarn/releases/yarn-4.1.0.cjs',
    '.yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs',
    '.yarn/cache/left-pad.zip',
    'patches/left-pad+1.3.0.patch',
    'src/index.ts',
  ];
  const text = df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN yarn install --immutable', 'RUN yarn build');
  const { fixed } = applyFix(text, RULE, { context: context(files) });
  assert.equal(
    fixed,
    df(
      'FROM node:20',
      'WORKDIR /app',
      'COPY package.json yarn.lock .yarnrc.yml ./',
      'COPY .yarn/releases/yarn-4.1.0.cjs .yarn/releases/',
      'COPY .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs .yarn/plugins/@yarnpkg/',
      'COPY patches/left-pad+1.3.0.patch patches/',
      'RUN yarn install --immutable',
      'COPY . .',
      'RUN yarn build',
    ),
  );
});

test('a Node install whose lifecycle scripts may read the sources: no fix, the finding says which script', () => {
  const text = df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "dist/index.js"]');
  const withScripts = (scripts: Record<string, string>, command = 'RUN npm ci') => ({
    text: df('FROM node:20', 'WORKDIR /app', 'COPY . .', command),
    facts: {
      context: {
        ...context(['package.json', 'package-lock.json', 'src/index.ts']),
        installScripts: { 'package.json': scripts },
      },
    },
  });
  const post = withScripts({ postinstall: 'node scripts/generate-client.js' });
  const f = findings(post.text, RULE, post.facts);
  assert.equal(f[0].fixes.length, 0);
  assert.match(
    f[0].message,
    /package\.json runs its "postinstall" script at install \(`node scripts\/generate-client\.js`\), which may need the sources/,
  );
  // patch-package reads patches/, which the fix copies with the manifests
  const patch = withScripts({ postinstall: 'patch-package' });
  assert.equal(findings(patch.text, RULE, patch.facts)[0].fixes.length, 1);
  const onlyAllow = withScripts({ preinstall: 'npx only-allow pnpm' });
  assert.equal(findings(onlyAllow.text, RULE, onlyAllow.facts)[0].fixes.length, 1);
  // --ignore-scripts: nothing runs
  const ignored = withScripts({ prepare: 'npm run build' }, 'RUN npm ci --ignore-scripts');
  assert.equal(findings(ignored.text, RULE, ignored.facts)[0].fixes.length, 1);
  // facts without install scripts (the file alone): the fix is offered
  assert.equal(findings(text, RULE)[0].fixes.length, 1);
});

test('bundle config in the install RUN reads no sources: the fix is offered', () => {
  const text = df(
    'FROM ruby:3.3',
    'WORKDIR /app',
    'COPY . .',
    "RUN bundle config set --local without 'development test' && bundle install",
  );
  const { fixed } = applyFix(text, RULE);
  assert.equal(
    fixed,
    df(
      'FROM ruby:3.3',
      'WORKDIR /app',
      'COPY Gemfile Gemfile.lock* ./',
      "RUN bundle config set --local without 'development test' && bundle install",
      'COPY . .',
    ),
  );
});

test('an empty listing (a folder not on disk, an unsaved file) reads as no context: the fix is offered, with the names npm gives', () => {
  const text = df('FROM node:22', 'WORKDIR /app', 'COPY . .', 'RUN npm install', 'CMD ["node", "index.js"]');
  const empty = {
    root: '/nowhere',
    files: [],
    truncated: false,
    hasDockerignore: false,
    contents: {},
    workspaces: {},
    installScripts: {},
  };
  const f = findings(text, 'copy-before-install', { context: empty });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 1, f[0].message);
  assert.doesNotMatch(f[0].message, /No quick fix/);
});

test('a RUN between the source copy and the install that may read the sources: no fix, and the finding says which line', () => {
  const text = df('FROM node:22', 'WORKDIR /app', 'COPY . .', 'RUN npx turbo prune web --docker', 'RUN npm ci');
  const f = findings(text, 'copy-before-install', {
    context: context(['package.json', 'package-lock.json', 'src/a.js']),
  });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
  assert.match(f[0].message, /No quick fix: line 4 \(`npx turbo prune web --docker`\) runs between the source copies/);
});

test('a COPY --from into the project folder between the sources and the install moves down with the sources', () => {
  const text = df(
    'FROM php:8.2-fpm',
    'COPY --from=composer:2 /usr/bin/composer /usr/bin/composer',
    'WORKDIR /var/www',
    'COPY . .',
    'COPY --from=frontend /app/public/build ./public/build',
    'RUN composer install --no-dev --no-scripts --no-autoloader',
    'RUN composer dump-autoload --optimize',
  );
  const ctx = context(['composer.json', 'composer.lock', 'app/Http/Kernel.php']);
  assert.equal(
    applyFix(text, 'copy-before-install', { context: ctx }).fixed,
    df(
      'FROM php:8.2-fpm',
      'COPY --from=composer:2 /usr/bin/composer /usr/bin/composer',
      'WORKDIR /var/www',
      'COPY composer.json composer.lock ./',
      'RUN composer install --no-dev --no-scripts --no-autoloader',
      'COPY . .',
      'COPY --from=frontend /app/public/build ./public/build',
      'RUN composer dump-autoload --optimize',
    ),
  );
});

test('a monorepo whose workspace folders are copied below the install folder: one finding with its places, no fix, and why', () => {
  const text = df(
    'FROM node:22',
    'WORKDIR /repo',
    'COPY package.json yarn.lock turbo.json ./',
    'COPY apps/web ./apps/web',
    'COPY packages ./packages',
    'RUN yarn install',
  );
  const f = findings(text, RULE, {
    context: context([
      'package.json',
      'yarn.lock',
      'turbo.json',
      'apps/web/package.json',
      'apps/web/src/page.tsx',
      'packages/ui/package.json',
      'packages/ui/index.ts',
    ]),
  });
  assert.deepEqual(
    f.map((x) => x.line),
    [4, 5],
  );
  assert.equal(f[0].message, f[1].message, 'the same message, so the reports show one finding at two places');
  assert.equal(f[0].fixes.length, 0);
  assert.match(
    f[0].message,
    /No quick fix: the sources go into folders inside \/repo \(apps\/web, packages\) whose own manifests/,
  );
});
