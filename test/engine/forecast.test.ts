// The rebuild forecast and the cache-miss forensics against a real engine, with both builders. A two-stage Node
// project (test/fixtures/forecast/node-app) is built and recorded; then, one change at a time: nothing, a source
// file, a dependency manifest, a build arg. Before each rebuild the forecast (analyze with the record and today's
// files) names the steps it will re-run; the rebuild must re-run exactly those (the steps it does not take from the
// cache), in about the time forecast (within ±50% of the measured build), and each step it ran must carry the cause
// of the change the test made. Two Dockerfile edits follow, where the builders differ: a LABEL added (BuildKit re-runs
// no step for it, the legacy builder re-runs it and every step after it) and an ENV value changed (BuildKit re-runs
// the RUNs after it, the legacy builder every step after it). The Dockerfile is in the deps stage's `COPY . .`, so
// both edits also re-run that copy and the install, whose node_modules comes out the same.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import { valueDigest } from '../../server/src/analysis/buildInputs';
import type { Analysis } from '../../server/src/analysis/model';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { gatherBuildFacts } from '../../server/src/facts/buildFacts';
import { readBuildContext } from '../../server/src/facts/context';
import { recordedBuild, type RecordedBuild } from '../../server/src/recordedBuild';
import { engineSuite, fixturesDir, type TestEngine } from './harness';

const engineTest = engineSuite({ busybox: true });
const work: string[] = [];
after(() => {
  for (const d of work) fs.rmSync(d, { recursive: true, force: true });
});

interface Change {
  name: string;
  /** A file appended to, and what cause each run step must name. */
  edit?: [string, string];
  /** A text of the Dockerfile replaced. */
  replace?: [string, string];
  buildArgs?: Record<string, string>;
  cause: RegExp | null;
}

const CHANGES: Change[] = [
  { name: 'nothing', cause: null },
  { name: 'a source file', edit: ['src/index.js', '// edited\n'], cause: /src\/index\.js changed/ },
  { name: 'a manifest', edit: ['package-lock.json', '\n'], cause: /package-lock\.json changed/ },
  { name: 'a build arg', buildArgs: { VERSION: '2' }, cause: /build arg VERSION changed/ },
  {
    name: 'a LABEL added',
    replace: ['CMD [', 'LABEL org.example.version="2"\nCMD ['],
    cause: /Dockerfile changed|line \d+ (is new|changed) since the last build/,
  },
  {
    name: 'an ENV value',
    replace: ['NODE_ENV=production', 'NODE_ENV=development'],
    cause: /Dockerfile changed|line \d+ changed since the last build/,
  },
];

let lastArgs: Record<string, string> = {};

function copyProject(): { dir: string; records: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'li-forecast-'));
  work.push(root);
  const dir = path.join(root, 'node-app');
  fs.cpSync(path.join(fixturesDir(), 'forecast', 'node-app'), dir, { recursive: true });
  return { dir, records: path.join(root, 'records') };
}

async function build(
  engine: TestEngine,
  dir: string,
  records: string,
  builder: 'buildkit' | 'legacy',
  buildArgs: Record<string, string> = {},
): Promise<RecordedBuild> {
  // later changes keep the build args of earlier ones, as a user rebuilding with the same command line
  buildArgs = { ...lastArgs, ...buildArgs };
  lastArgs = buildArgs;
  const dockerfile = path.join(dir, 'Dockerfile');
  const run = await recordedBuild(engine.docker, {
    dockerfile,
    text: fs.readFileSync(dockerfile, 'utf8'),
    context: dir,
    builder,
    tag: `li-forecast-${builder}:latest`,
    buildArgs,
    recordDir: records,
  });
  assert.ok(run.ok, run.message);
  assert.equal(run.recordError, undefined);
  return run;
}

async function forecast(dir: string, records: string, buildArgs: Record<string, string>): Promise<Analysis> {
  const dockerfile = path.join(dir, 'Dockerfile');
  const text = fs.readFileSync(dockerfile, 'utf8');
  const context = await readBuildContext(dir, { dockerfile });
  const facts = await gatherBuildFacts({ dockerfile, model: parseDockerfile(text), context, recordDir: records });
  facts.argValue = (name) => (name in buildArgs ? valueDigest(buildArgs[name]) : undefined);
  return analyze(text, { context, build: facts }, { buildArgs });
}

/** Lines of the steps the build ran rather than took from the cache (FROM is never counted). */
function ranLines(run: RecordedBuild): number[] {
  const lines = new Set<number>();
  for (const s of run.outcome.steps) {
    if (s.stepIndex === null || s.cached || s.line === null) continue;
    if (run.outcome.model.steps[s.stepIndex]?.keyword !== 'FROM') lines.add(s.line);
  }
  return [...lines].sort((a, b) => a - b);
}

function log(run: RecordedBuild): string {
  return run.outcome.steps.map((s) => `${s.line} ${s.cached ? 'CACHED' : 'ran'} ${s.name}`).join('\n');
}

for (const builder of ['buildkit', 'legacy'] as const) {
  engineTest(
    `${builder}: the forecast names exactly the steps the next build re-runs, its time within ±50%, and the causes`,
    { timeout: 10 * 60_000 },
    async (engine) => {
      const { dir, records } = copyProject();
      lastArgs = {};
      const first = await build(engine, dir, records, builder);
      // the first recorded build has nothing to compare with, and says so
      const unknown = [...(first.causes?.values() ?? [])].filter((c) => !c.hit);
      assert.ok(unknown.length > 0, log(first));
      assert.match(unknown[0].cause ?? '', /no earlier build of this Dockerfile was recorded/);

      for (const change of CHANGES) {
        if (change.edit) fs.appendFileSync(path.join(dir, change.edit[0]), change.edit[1]);
        if (change.replace) {
          const file = path.join(dir, 'Dockerfile');
          fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(change.replace[0], change.replace[1]));
        }
        const args = { ...lastArgs, ...(change.buildArgs ?? {}) };
        const before = await forecast(dir, records, args);
        const f = before.forecast;
        assert.ok(f, `${change.name}: a forecast`);
        const run = await build(engine, dir, records, builder, args);
        const ran = ranLines(run);
        const what = `${builder}, ${change.name}: forecast ${JSON.stringify(f.lines)}, engine ran ${JSON.stringify(ran)}\n${log(run)}`;
        assert.deepEqual(f.lines, ran, what);
        if (change.cause === null) {
          assert.deepEqual(ran, [], what);
          continue;
        }
        assert.ok(ran.length > 0, what);
        // every step forecast to re-run says why, the first one naming the change
        const rerun = before.steps.filter((s) => s.forecast?.rerun);
        assert.match(rerun[0].forecast?.cause ?? '', change.cause, what);
        for (const s of rerun) assert.match(s.forecast?.cause ?? '', change.cause, `line ${s.step.line}: ${what}`);
        // forensics: each step that ran carries the change as its cause
        for (const [i, c] of run.causes ?? []) {
          if (c.hit) continue;
          assert.match(c.cause ?? '', change.cause, `line ${run.outcome.model.steps[i].line}: ${what}`);
        }
        // the time: within ±50% of the measured build (its steps take seconds: the stand-ins sleep)
        const measured = run.outcome.durationMs / 1000;
        assert.ok(f.seconds !== null && f.secondsComplete, what);
        assert.ok(
          Math.abs((f.seconds ?? 0) - measured) <= measured * 0.5,
          `${what}\nforecast ${f.seconds} s, measured ${measured} s`,
        );
        console.log(
          `# ${builder}, ${change.name}: forecast ${f.seconds} s for lines ${f.lines}; build took ${measured} s`,
        );
      }
    },
  );
}
