import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { stepsAffectedBy } from '../../server/src/analysis/cache';
import type { AnalysisFacts, CacheRisk } from '../../server/src/analysis/model';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { MAX_STAGES, MAX_WRITERS, ProvenanceReader } from '../../server/src/analysis/provenance';
import { context, df } from './fixes';

function risk(text: string, line: number, facts: AnalysisFacts = {}): CacheRisk {
  const s = analyze(text, facts).steps.find((x) => x.step.line === line);
  assert.ok(s, `no step at line ${line}`);
  return s.cacheRisk;
}

/** The lines that re-run when `file` changes. */
function affected(text: string, file: string, facts: AnalysisFacts = {}): number[] {
  const model = analyze(text, facts).model;
  return [...stepsAffectedBy(model, facts, file)].map((i) => model.steps[i].line);
}

const CARGO_CHEF = df(
  'FROM rust:1.80.1 AS chef',
  'WORKDIR /app',
  'FROM chef AS planner',
  'COPY . .',
  'RUN cargo chef prepare --recipe-path recipe.json',
  'FROM chef AS builder',
  'COPY --from=planner /app/recipe.json recipe.json',
  'RUN cargo chef cook --release --recipe-path recipe.json',
  'COPY . .',
  'RUN cargo build --release',
  'FROM debian:12-slim',
  'COPY --from=builder /app/target/release/app /usr/local/bin/app',
);

test('cargo-chef: the recipe depends on the manifests only, so its copy and the cook are medium, with why', () => {
  assert.equal(risk(CARGO_CHEF, 5).level, 'high'); // the prepare itself re-runs on every edit
  const copy = risk(CARGO_CHEF, 7);
  assert.equal(copy.level, 'medium');
  assert.equal(
    copy.reasons[0],
    're-runs when the dependency manifests change: /app/recipe.json is written by `cargo chef prepare` at line 5, ' +
      'whose output depends only on the dependency manifests (through stage planner)',
  );
  assert.equal(risk(CARGO_CHEF, 8).level, 'medium');
  // the binary is built after the second COPY . .: high, through stage builder
  const bin = risk(CARGO_CHEF, 12);
  assert.equal(bin.level, 'high');
  assert.match(bin.reasons[0], /because of COPY \. \. at line 9 \(through stage builder\)$/);
  // the edit a user makes: a source file re-runs the source steps, not the recipe copy; a manifest re-runs it too
  assert.deepEqual(affected(CARGO_CHEF, 'src/main.rs'), [4, 5, 9, 10, 12]);
  assert.deepEqual(affected(CARGO_CHEF, 'Cargo.toml'), [4, 5, 7, 8, 9, 10, 12]);
});

test('a path a build wrote after COPY . . stays high; one no step wrote comes from the base image', () => {
  const text = df(
    'FROM golang:1.22.5 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN go build -o /out/app ./cmd/app',
    'FROM scratch',
    'COPY --from=build /out/app /app',
    'COPY --from=build /usr/local/go/VERSION /go-version',
  );
  assert.equal(risk(text, 6).level, 'high');
  assert.match(risk(text, 6).reasons[0], /COPY \. \. at line 3 \(through stage build\)$/);
  assert.equal(risk(text, 7, {}).level, 'high'); // it follows the high copy in its stage
  const alone = df(
    'FROM golang:1.22.5 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN go build -o /out/app .',
    'FROM scratch',
    'COPY --from=build /usr/local/go/VERSION /v',
  );
  assert.equal(risk(alone, 6).level, 'low');
});

test('a manifest-keyed output later overwritten by a source COPY is high; without such a file in the context, medium', () => {
  const text = df(
    'FROM node:20.11.1 AS deps',
    'WORKDIR /app',
    'COPY . .',
    'RUN npm ci',
    'COPY . .',
    'FROM node:20',
    'COPY --from=deps /app/node_modules ./node_modules',
  );
  // the context sends a node_modules folder: the second COPY . . writes over what npm ci wrote
  const sent = { context: context(['package.json', 'package-lock.json', 'src/index.js', 'node_modules/x/index.js']) };
  assert.equal(risk(text, 7, sent).level, 'high');
  // the usual case: .dockerignore leaves node_modules out, so only npm ci wrote there
  const ignored = { context: context(['package.json', 'package-lock.json', 'src/index.js']) };
  const r = risk(text, 7, ignored);
  assert.equal(r.level, 'medium');
  assert.match(r.reasons[0], /\/app\/node_modules is written by `npm ci` at line 4, whose output depends only on/);
});

test('a RUN we cannot read after the producer stays conservative, and the reason says why', () => {
  const text = df(
    'FROM node:20.11.1 AS deps',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'COPY . .',
    'RUN ./scripts/patch-modules.sh',
    'FROM node:20',
    'COPY --from=deps /app/node_modules ./node_modules',
  );
  const r = risk(text, 8);
  assert.equal(r.level, 'high');
  assert.match(
    r.reasons[0],
    /\(through stage deps, where we cannot tell what `\.\/scripts\/patch-modules\.sh` at line 6 writes, so it may have written what is copied\)$/,
  );
  // without the script, the install alone wrote there: medium
  const plain = text.replace('RUN ./scripts/patch-modules.sh\n', 'RUN npm run build\n');
  assert.equal(risk(plain, 8).level, 'high'); // a project script writes the project folder, node_modules included
  const apart = text.replace('RUN ./scripts/patch-modules.sh\n', 'RUN cp -r dist /srv/\n');
  assert.equal(
    risk(apart, 8, { context: context(['package.json', 'package-lock.json', 'dist/a.js']) }).level,
    'medium',
  );
});

test('wheels through a bind mount from a stage: the mount takes the writer of its source', () => {
  const text = df(
    'FROM python:3.12.4 AS builder',
    'WORKDIR /src',
    'COPY requirements.txt .',
    'RUN pip wheel -r requirements.txt -w /wheels',
    'COPY . .',
    'RUN python -m compileall .',
    'FROM python:3.12-slim',
    'RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels pip install /wheels/*',
    'RUN --mount=type=bind,from=builder,target=/b cat /b/src/app.py',
  );
  assert.equal(risk(text, 8).level, 'medium');
  assert.match(
    risk(text, 8).reasons[0],
    /requirements\.txt changes \(COPY requirements\.txt \. at line 3\) \(through stage builder\)$/,
  );
  assert.equal(risk(text, 9).level, 'high'); // the whole stage
  assert.deepEqual(affected(text, 'app.py'), [5, 6, 9]);
  assert.deepEqual(affected(text, 'requirements.txt'), [3, 4, 5, 6, 8, 9]);
});

test('a bundle copied from a build stage by its ENV path, through a stage built FROM another', () => {
  const text = df(
    'FROM ruby:3.3-slim AS base',
    'WORKDIR /rails',
    'ENV BUNDLE_PATH=/usr/local/bundle',
    'FROM base AS build',
    'COPY Gemfile Gemfile.lock ./',
    'RUN bundle install',
    'COPY . .',
    'RUN bundle exec rails assets:precompile',
    'FROM base',
    'COPY --from=build "${BUNDLE_PATH}" "${BUNDLE_PATH}"',
    'COPY --from=build /rails /rails',
  );
  assert.equal(risk(text, 10).level, 'medium');
  assert.equal(risk(text, 11).level, 'high');
});

test('what a stage built FROM another copies comes through both stages; an ENV sets the output path', () => {
  const text = df(
    'FROM node:20.11.1 AS deps',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'FROM deps AS build',
    'ENV OUT=/dist',
    'COPY . .',
    'RUN cp -r src $OUT',
    'FROM node:20-slim',
    'COPY --from=build /app/node_modules ./node_modules',
    'COPY --from=build /dist /dist',
  );
  const facts = { context: context(['package.json', 'package-lock.json', 'src/index.js']) };
  const modules = risk(text, 10, facts);
  assert.equal(modules.level, 'medium');
  assert.match(modules.reasons[0], /at line 3\) \(through stage deps\) \(through stage build\)$/);
  assert.equal(risk(text, 11, facts).level, 'high');
  assert.deepEqual(affected(text, 'src/index.js', facts), [7, 8, 11]);
});

test('beyond the bounds (writing steps per stage, stages followed), the copy takes the whole stage and says why', () => {
  const many = df(
    'FROM busybox:1.36.1 AS a',
    'COPY . /src',
    'RUN echo 0 > /keep',
    ...Array.from({ length: MAX_WRITERS + 1 }, (_, i) => `RUN echo ${i} > /f${i}`),
    'FROM busybox:1.36.1',
    'COPY --from=a /keep /keep',
  );
  const model = parseDockerfile(many);
  assert.match(String(new ProvenanceReader(model).of(0, '/keep').why), /more than 256 steps of its stage write files/);
  const r = risk(many, model.steps[model.steps.length - 1].line);
  assert.equal(r.level, 'high');
  assert.match(r.reasons[0], /where we cannot follow which step wrote what is copied: more than 256 steps/);
  // a short stage: /keep is written before the COPY . . only, so it is low
  assert.equal(
    risk(
      df(
        'FROM busybox:1.36.1 AS a',
        'RUN echo 0 > /keep',
        'COPY . /src',
        'FROM busybox:1.36.1',
        'COPY --from=a /keep /k',
      ),
      5,
    ).level,
    'low',
  );
  const chain = df(
    'FROM busybox:1.36.1 AS s0',
    'COPY . /src',
    ...Array.from({ length: MAX_STAGES + 1 }, (_, i) => `FROM s${i} AS s${i + 1}`),
    'FROM busybox:1.36.1',
    `COPY --from=s${MAX_STAGES + 1} /etc/passwd /p`,
  );
  const m2 = parseDockerfile(chain);
  assert.match(String(new ProvenanceReader(m2).of(MAX_STAGES + 1, '/etc/passwd').why), /more than 32 stages/);
});

test('a COPY . . writes a path under its destination only if the context has it (with the listing known)', () => {
  const text = df(
    'FROM busybox:1.36.1 AS a',
    'WORKDIR /app',
    'RUN echo v1 > /app/version',
    'COPY . .',
    'FROM busybox:1.36.1',
    'COPY --from=a /app/version /v',
  );
  assert.equal(risk(text, 6, { context: context(['src/a.js']) }).level, 'low');
  assert.equal(risk(text, 6, { context: context(['src/a.js', 'version']) }).level, 'high');
  assert.equal(risk(text, 6).level, 'high'); // without a listing we cannot tell
});

test('a path read through a link a step made takes the whole stage, and says so', () => {
  const text = df(
    'FROM rust:1.80 AS build',
    'WORKDIR /app',
    'COPY . .',
    'RUN cargo build --release && ln -vfsr /app/target/release /app/target/final',
    'RUN echo done > /done',
    'FROM debian:12-slim',
    'COPY --from=build /app/target/final/app /app',
  );
  const r = risk(text, 7);
  assert.equal(r.level, 'high');
  assert.match(
    r.reasons[0],
    /where we cannot follow which step wrote what is copied: it is read through the link \/app\/target\/final made at line 4\)$/,
  );
});

test('an Angular build writes beside its folder: a project script counts as writing the copied path', () => {
  const text = df(
    'FROM node:20 AS ui',
    'WORKDIR /src/ui',
    'COPY ui/package.json ui/package-lock.json ./',
    'RUN npm ci',
    'COPY ui/ ./',
    'RUN ./node_modules/.bin/ng build --configuration production',
    'FROM python:3.12-slim',
    'COPY --from=ui /src/static/frontend /app/static/frontend',
  );
  const r = risk(text, 8);
  assert.equal(r.level, 'high');
  assert.doesNotMatch(r.reasons.join('\n'), /cannot/);
});
