// The forecast (analysis/forecast.ts) on Dockerfiles and changes where the builders' cache rules matter: file
// contents, build args, base image IDs, Dockerfile edits under each builder, copies from a stage whose producer
// depends on the manifests only; and the forensics of a build. Records are made as a build makes them
// (readBuildInputs + makeRecord) from digests given here; test/engine/forecast.test.ts checks the same against real
// builds of both builders.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBuildInputs, valueDigest, type Builder } from '../../server/src/analysis/buildInputs';
import { makeRecord, readRecord, type BuildRecord } from '../../server/src/analysis/buildRecord';
import { explainBuild, forecastBuild } from '../../server/src/analysis/forecast';
import type { BuildContextFacts } from '../../server/src/analysis/model';
import { parseDockerfile } from '../../server/src/analysis/parse';

type Files = Record<string, string>;

function contextOf(files: Files): BuildContextFacts {
  return {
    root: '/ctx',
    files: Object.keys(files)
      .sort()
      .map((p) => ({ path: p, bytes: files[p].length })),
    truncated: false,
    hasDockerignore: false,
  };
}

interface Facts {
  files: Files;
  builder?: Builder;
  args?: Record<string, string>;
  base?: string;
}

function inputs(text: string, f: Facts, keepFiles = false) {
  const model = parseDockerfile(text, { buildkit: (f.builder ?? 'buildkit') === 'buildkit' });
  const context = contextOf(f.files);
  const now = readBuildInputs(model, {
    builder: f.builder ?? 'buildkit',
    context,
    digests: new Map(Object.entries(f.files)),
    argValue: (n) => (f.args && n in f.args ? valueDigest(f.args[n]) : undefined),
    baseId: () => f.base ?? 'sha256:aaaa',
    keepFiles,
  });
  return { model, context, now };
}

/** A record of a build of `text` with these facts, every step having run for 1 s. */
function recorded(text: string, f: Facts): BuildRecord {
  const { now } = inputs(text, f, true);
  return makeRecord({
    time: '2026-12-07T09:00:00.000Z',
    dockerfile: '/ctx/Dockerfile',
    context: '/ctx',
    buildArgs: {},
    image: { id: null, tag: null },
    durationMs: 20_000,
    inputs: now,
    outcomes: now.stages.flatMap((s) => s.steps.map((x) => ({ stepIndex: x.index, cached: false, durationMs: 1000 }))),
    bytes: new Map(),
    causes: new Map(),
    previous: null,
  });
}

function forecast(text: string, f: Facts, record: BuildRecord) {
  const { model, context, now } = inputs(text, f);
  return forecastBuild(model, now, record, { tense: 'next', context });
}

const APP = `FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY src ./src
ENV NODE_ENV=production
RUN npm run build
LABEL org.example.team=web
CMD ["node", "dist/main.js"]
`;
const FILES: Files = { 'package.json': 'p1', 'package-lock.json': 'l1', 'src/a.js': 'a1', 'src/b.js': 'b1' };

describe('forecast', () => {
  test('nothing changed: nothing re-runs, and the time is the build overhead alone', () => {
    const r = recorded(APP, { files: FILES });
    const f = forecast(APP, { files: FILES }, r);
    assert.deepEqual(f.summary.lines, []);
    assert.equal(f.summary.seconds, r.overheadMs / 1000);
  });

  test('a source file: its COPY and every later step re-run, the file named; earlier steps do not', () => {
    const r = recorded(APP, { files: FILES });
    const f = forecast(APP, { files: { ...FILES, 'src/b.js': 'b2' } }, r);
    assert.deepEqual(f.summary.lines, [5, 7]);
    const [copy, run] = [...f.steps.values()].filter((s) => s.rerun);
    assert.equal(copy.cause, 'src/b.js changed since the last build');
    assert.equal(run.cause, 'because line 5 re-runs (src/b.js changed since the last build)');
  });

  test('a file added under a copied folder counts as a change, and several are listed', () => {
    const r = recorded(APP, { files: FILES });
    const f = forecast(APP, { files: { ...FILES, 'src/c.js': 'c', 'src/a.js': 'a2' } }, r);
    assert.match(f.steps.get(4)?.cause ?? '', /^2 files changed since the last build: src\/a\.js, src\/c\.js$/);
  });

  test('the legacy builder re-runs a LABEL added and what follows it; BuildKit nothing', () => {
    const edited = APP.replace('CMD [', 'LABEL org.example.v=2\nCMD [');
    for (const builder of ['buildkit', 'legacy'] as const) {
      const r = recorded(APP, { files: FILES, builder });
      const f = forecast(edited, { files: FILES, builder }, r);
      assert.deepEqual(f.summary.lines, builder === 'buildkit' ? [] : [9, 10], builder);
    }
  });

  test('an ENV change: BuildKit re-runs the RUN after it only; the legacy builder every later step', () => {
    const edited = APP.replace('NODE_ENV=production', 'NODE_ENV=development');
    assert.deepEqual(forecast(edited, { files: FILES }, recorded(APP, { files: FILES })).summary.lines, [7]);
    const legacy = { files: FILES, builder: 'legacy' as const };
    assert.deepEqual(forecast(edited, legacy, recorded(APP, legacy)).summary.lines, [6, 7, 8, 9]);
  });

  test('a build arg: the first RUN after its ARG re-runs; the value is never in the record', () => {
    const text = APP.replace('RUN npm run build', 'ARG VERSION=1\nRUN npm run build');
    const r = recorded(text, { files: FILES, args: { VERSION: 'secret-token-1' } });
    assert.ok(!JSON.stringify(r).includes('secret-token-1'));
    const f = forecast(text, { files: FILES, args: { VERSION: 'secret-token-2' } }, r);
    assert.deepEqual(f.summary.lines, [8]);
    assert.equal(f.steps.get(7)?.cause, 'build arg VERSION changed since the last build');
  });

  test('a new base image ID re-runs every step after FROM, the IDs shown; FROM itself is not a re-run step', () => {
    const r = recorded(APP, { files: FILES, base: 'sha256:1111111111111111' });
    const f = forecast(APP, { files: FILES, base: 'sha256:2222222222222222' }, r);
    assert.deepEqual(f.summary.lines, [2, 3, 4, 5, 7]);
    assert.match(
      f.steps.get(1)?.cause ?? '',
      /because line 1 re-runs \(base image node:20 changed .*111111111111 → 222222222222/,
    );
  });

  test('a copy of what `npm ci` wrote from the whole context stays cached after a source edit, not after a manifest edit', () => {
    const text = `FROM node:20 AS deps
WORKDIR /app
COPY . .
RUN npm ci

FROM node:20
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY src ./src
RUN npm run build
`;
    const r = recorded(text, { files: FILES });
    const source = forecast(text, { files: { ...FILES, 'src/a.js': 'a2' } }, r);
    assert.deepEqual(source.summary.lines, [3, 4, 9, 10]);
    const manifest = forecast(text, { files: { ...FILES, 'package-lock.json': 'l2' } }, r);
    assert.deepEqual(manifest.summary.lines, [3, 4, 8, 9, 10]);
    assert.match(
      manifest.steps.get(6)?.cause ?? '',
      /copies from stage deps changes: line 4 re-runs \(package-lock\.json changed/,
    );
    // the steps after the copy name the change itself, not the copy's sentence
    assert.equal(
      manifest.steps.get(7)?.cause,
      'because line 8 re-runs (package-lock.json changed since the last build)',
    );
  });

  test('a step never run before has no measured time: the total is a lower bound', () => {
    const r = recorded(APP, { files: FILES });
    const edited = APP.replace('RUN npm run build', 'RUN npm run build\nRUN npm test');
    const f = forecast(edited, { files: FILES }, r);
    assert.deepEqual(f.summary.lines, [8]);
    assert.equal(f.summary.secondsComplete, false);
    assert.match(f.steps.get(7)?.cause ?? '', /line 8 is new since the last build/);
  });
});

describe('forensics and records', () => {
  test('the first recorded build says the cause is unknown; a later miss the forecast did not expect blames the cache', () => {
    const { model, now } = inputs(APP, { files: FILES });
    const ran = [{ stepIndex: 3, cached: false }];
    assert.match(explainBuild(model, now, null, ran).get(3)?.cause ?? '', /no earlier build of this Dockerfile/);
    const r = recorded(APP, { files: FILES });
    assert.match(explainBuild(model, now, r, ran).get(3)?.cause ?? '', /not in the builder cache/);
    const chained = [
      { stepIndex: 3, cached: false },
      { stepIndex: 4, cached: false },
    ];
    assert.equal(explainBuild(model, now, r, chained).get(4)?.cause, 'because line 4 ran');
  });

  test('a record of another version, or not a record, reads as none', () => {
    const r = recorded(APP, { files: FILES });
    assert.ok(readRecord(JSON.parse(JSON.stringify(r))));
    assert.equal(readRecord({ ...r, version: 2 }), null);
    assert.equal(readRecord({ ...r, stages: [{ index: 0, steps: [{ key: 1 }] }] }), null);
    assert.equal(readRecord('{}'), null);
    assert.equal(readRecord(null), null);
  });
});
