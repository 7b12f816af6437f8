// The provenance of copied paths against a real engine: multi-stage Dockerfiles whose COPY --from and
// RUN --mount=from= take what a manifest-keyed producer wrote (cargo-chef's recipe, wheels from requirements.txt
// through a bind mount, a bundle by its ENV path, node_modules from a deps stage), a Go build with a cache mount,
// and node_modules changed afterwards by a script we cannot read. Build, edit an ordinary source file, rebuild: the
// RUN/COPY/ADD steps the engine ran again are exactly the ones we mark high, and exactly those stepsAffectedBy names
// for that file; a dependency-manifest edit re-runs exactly what stepsAffectedBy names for it. BuildKit through the
// engine API; the legacy builder on the files without --mount. The programs are stand-ins in each fixture's tools/
// (no registry here): what matters is the Dockerfile text and the engine's cache.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis } from '../../server/src/analysis/model';
import { analyseFolder, buildLog, fixtureCopier, predictedFor, predictedHigh, reran, stagesRun } from './cacheCheck';
import { buildFixture, engineSuite } from './harness';

const engineTest = engineSuite({ busybox: true });
const copyFixture = fixtureCopier('li-prov');

interface Case {
  fixture: string;
  /** An ordinary source edit: a file, and the text appended to it. */
  edit: [string, string];
  /** A dependency-manifest edit. */
  manifest: [string, string];
  /** Uses RUN --mount: BuildKit only. */
  mounts?: boolean;
  /** The producer is one we cannot read: its copy re-runs, and its reason says why. */
  unknown?: boolean;
}

const CASES: Case[] = [
  { fixture: 'cargo-chef', edit: ['src/main.rs', '// edited\n'], manifest: ['Cargo.lock', '# edited\n'] },
  {
    fixture: 'wheels-mount',
    edit: ['app/main.py', '# edited\n'],
    manifest: ['requirements.txt', 'click\n'],
    mounts: true,
  },
  { fixture: 'bundle-build', edit: ['app/models/user.rb', '# edited\n'], manifest: ['Gemfile.lock', '# edited\n'] },
  { fixture: 'node-deps', edit: ['src/index.js', '// edited\n'], manifest: ['package-lock.json', '\n'] },
  { fixture: 'cache-mount', edit: ['main.go', '// edited\n'], manifest: ['go.sum', '\n'], mounts: true },
  {
    fixture: 'unknown-producer',
    edit: ['src/index.js', '// edited\n'],
    manifest: ['package.json', '\n'],
    unknown: true,
  },
];

/** Lines of the steps that take a path from another stage (COPY --from=stage, RUN --mount=...,from=stage). */
function copiesFromStages(a: Analysis): number[] {
  return a.model.steps
    .filter((s) => s.copyFrom?.stage !== null && s.copyFrom?.stage !== undefined)
    .map((s) => s.line)
    .sort((x, y) => x - y);
}

let serial = 0;

for (const builder of ['buildkit', 'legacy'] as const) {
  for (const c of CASES) {
    if (builder === 'legacy' && c.mounts) continue;
    engineTest(
      `${builder}: ${c.fixture}: after a source edit the re-run steps are exactly the high ones; a manifest edit re-runs what we predict`,
      { timeout: 15 * 60_000 },
      async (engine) => {
        const dir = copyFixture(c.fixture);
        const tag = `li-prov-${c.fixture}-${builder}:${++serial}`;
        await buildFixture(engine, dir, { builder, tag });
        // a rebuild with nothing changed is all cache: the comparisons below are not just "everything re-ran"
        const again = await buildFixture(engine, dir, { builder, tag });
        assert.deepEqual(reran(again), [], `${c.fixture}: an unchanged rebuild re-ran steps\n${buildLog(again)}`);

        fs.appendFileSync(path.join(dir, c.edit[0]), c.edit[1]);
        const rebuilt = await buildFixture(engine, dir, { builder, tag });
        const { analysis, context } = await analyseFolder(dir);
        const high = predictedHigh(analysis, builder);
        const ran = reran(rebuilt);
        const log = `${c.fixture} (${builder}): engine re-ran ${JSON.stringify(ran)}, we mark high ${JSON.stringify(high)}\n${buildLog(rebuilt)}`;
        assert.ok(high.length > 0, `${c.fixture}: the fixture must have high steps`);
        assert.deepEqual(ran, high, log);
        assert.deepEqual(predictedFor(analysis, context, builder, c.edit[0]), high, `stepsAffectedBy(${c.edit[0]})`);
        const stages = stagesRun(analysis, builder);
        const copies = copiesFromStages(analysis).filter((l) =>
          analysis.model.steps.some((s) => s.line === l && stages.has(s.stage)),
        );
        if (c.unknown) {
          // the copy of what the unreadable script changed re-runs, and we say why we count it
          const copy = copies[copies.length - 1];
          assert.ok(ran.includes(copy), log);
          const reasons = analysis.steps.find((s) => s.step.line === copy)?.cacheRisk.reasons ?? [];
          assert.match(reasons[0], /where we cannot tell what `sh scripts\/generate\.sh` at line \d+ writes/);
        } else {
          // the point of the fixture: a copy from a stage that re-ran, served from the cache, which we do not mark high
          assert.ok(
            copies.some((l) => !ran.includes(l)),
            `${c.fixture}: some copy from a re-run stage is cached\n${log}`,
          );
        }

        fs.appendFileSync(path.join(dir, c.manifest[0]), c.manifest[1]);
        const manifestBuild = await buildFixture(engine, dir, { builder, tag });
        const expected = predictedFor(analysis, context, builder, c.manifest[0]);
        assert.ok(expected.length > high.length, `${c.manifest[0]}: a manifest edit re-runs more than a source edit`);
        assert.deepEqual(reran(manifestBuild), expected, `${c.manifest[0]}\n${buildLog(manifestBuild)}`);
      },
    );
  }
}
