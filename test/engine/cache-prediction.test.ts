// The cache model against a real engine: build a fixture, edit one source file, rebuild; the RUN/COPY/ADD
// steps the engine ran again (not served from its cache) must be exactly the steps we mark "high" (an ordinary
// source edit re-runs them). Six Dockerfiles of different shapes: npm-like manifests-first, a multi-stage
// build with COPY --from, a build arg, a stage built FROM another (with a stage the target does not need),
// ADD of the whole context with a .dockerignore, and an apt-based Debian image.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyseFolder,
  buildLog,
  fixtureCopier,
  LAYER_KEYWORDS,
  predictedFor,
  predictedHigh,
  reran,
} from './cacheCheck';
import { buildFixture, engineSuite, ensureDebian } from './harness';

const engineTest = engineSuite({ busybox: true });
/** A private copy of a fixture folder, so edits never touch the repository. */
const copyFixture = fixtureCopier('li-cache');

interface Case {
  fixture: string;
  /** The ordinary source edit: a file to append to. */
  edit: string;
  base?: 'debian';
  /** The .dockerignore leaves the edited file out: nothing may re-run. */
  ignored?: boolean;
}

const CASES: Case[] = [
  { fixture: 'npm-like', edit: 'src/index.js' },
  { fixture: 'multi-stage', edit: 'cmd/main.go' },
  { fixture: 'build-arg', edit: 'app.py' },
  { fixture: 'stage-from-stage', edit: 'lib/a.sh' },
  { fixture: 'add-context', edit: 'lib/run.sh' },
  { fixture: 'apt-debian', edit: 'src/app.py', base: 'debian' },
];

let serial = 0;

for (const builder of ['buildkit', 'legacy'] as const) {
  for (const c of CASES) {
    engineTest(
      `${builder}: ${c.fixture}: after editing ${c.edit}, the re-run steps are exactly the high ones`,
      { timeout: 15 * 60_000 },
      async (engine) => {
        if (c.base === 'debian') await ensureDebian(engine);
        const dir = copyFixture(c.fixture);
        const tag = `li-cache-${c.fixture}-${builder}:${++serial}`;
        await buildFixture(engine, dir, { builder, tag });
        // a rebuild with nothing changed is all cache: the comparison below is not just "everything re-ran"
        const again = await buildFixture(engine, dir, { builder, tag });
        assert.deepEqual(reran(again), [], `${c.fixture}: an unchanged rebuild re-ran steps`);

        fs.appendFileSync(path.join(dir, c.edit), '\n// edited\n');
        const rebuilt = await buildFixture(engine, dir, { builder, tag });
        const expected = predictedHigh((await analyseFolder(dir)).analysis, builder);
        assert.ok(expected.length > 0, `${c.fixture}: the fixture must have high steps`);
        assert.deepEqual(
          reran(rebuilt),
          expected,
          `${c.fixture} (${builder}): engine re-ran ${JSON.stringify(reran(rebuilt))}, we mark high ${JSON.stringify(expected)}\n${buildLog(rebuilt)}`,
        );
      },
    );
  }
}

/** Edits that are not ordinary source edits: a config file only a medium-risk COPY brings in, a file the
 * .dockerignore leaves out. What re-runs is what stepsAffectedBy predicts for that file. */
const OTHER_EDITS: Case[] = [
  { fixture: 'multi-stage', edit: 'etc/app.conf' },
  { fixture: 'multi-stage', edit: 'go.mod' },
  { fixture: 'add-context', edit: 'notes/todo.md', ignored: true },
  { fixture: 'npm-like', edit: 'package.json' },
];

for (const builder of ['buildkit', 'legacy'] as const) {
  for (const c of OTHER_EDITS) {
    engineTest(
      `${builder}: ${c.fixture}: after editing ${c.edit}, the re-run steps are those we predict for that file`,
      { timeout: 5 * 60_000 },
      async (engine) => {
        const dir = copyFixture(c.fixture);
        const tag = `li-cache-other-${builder}:${++serial}`;
        await buildFixture(engine, dir, { builder, tag });
        fs.appendFileSync(path.join(dir, c.edit), '\n');
        const rebuilt = await buildFixture(engine, dir, { builder, tag });
        const { analysis: a, context } = await analyseFolder(dir);
        const expected = predictedFor(a, context, builder, c.edit);
        assert.equal(
          expected.length === 0,
          c.ignored === true,
          `${c.edit}: ${c.ignored ? 'a file the .dockerignore leaves out re-runs nothing' : 'the edit re-runs steps'}`,
        );
        assert.deepEqual(reran(rebuilt), expected);
        // and none of the steps it re-runs is marked low
        const levels = expected.map((line) => a.steps.find((s) => s.step.line === line)?.cacheRisk.level);
        assert.ok(
          levels.every((l) => l !== undefined && l !== 'low'),
          `steps re-run by ${c.edit} must not be marked low: ${JSON.stringify(levels)}`,
        );
      },
    );
  }
}

engineTest(
  'buildkit: build-arg: changing the build arg re-runs exactly the steps from its first use, which we say depend on it',
  { timeout: 5 * 60_000 },
  async (engine) => {
    const dir = copyFixture('build-arg');
    const tag = `li-cache-arg:${++serial}`;
    await buildFixture(engine, dir, { builder: 'buildkit', tag });
    const changed = await buildFixture(engine, dir, { builder: 'buildkit', tag, buildArgs: { GREETING: 'bonjour' } });
    const a = (await analyseFolder(dir)).analysis;
    const dependent = a.steps
      .filter(
        (s) => LAYER_KEYWORDS.has(s.step.keyword) && s.cacheRisk.reasons.some((r) => r.includes('build arg GREETING')),
      )
      .map((s) => s.step.line);
    assert.ok(dependent.length > 0, 'the fixture has steps that depend on GREETING');
    assert.deepEqual(reran(changed), dependent);
  },
);
