// Reading a build's output stream (engine/progress.ts BuildOutput): the legacy builder's JSON-wrapped text, errors,
// the image ID (aux or "Successfully built"), and BuildKit's trace from a recorded build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { placeBuildRecords } from '../../../server/src/analysis/image/buildSteps';
import { BuildOutput, type BuildProgress } from '../../../server/src/engine/progress';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test', 'fixtures', 'engine');

function reader(
  text: string,
  buildkit: boolean,
): { out: BuildOutput; progress: BuildProgress[]; placed: () => ReturnType<typeof placeBuildRecords> } {
  const progress: BuildProgress[] = [];
  const out = new BuildOutput(buildkit, (p) => progress.push(p));
  // the engine keeps the builder's names; the analysis places them on the lines of the text built
  const placed = () =>
    placeBuildRecords(parseDockerfile(text), buildkit ? 'buildkit' : 'legacy', out.tracker.records(Date.now()));
  return { out, progress, placed };
}

test('legacy output: steps with their numbers, a cache hit, the image ID from aux', () => {
  const { out, progress, placed } = reader('FROM busybox\nRUN make\n', false);
  const lines = [
    { stream: 'Step 1/2 : FROM busybox\n' },
    { stream: ' ---> 1234abcd\n' },
    { stream: 'Step 2/2 : RUN make\n' },
    { stream: ' ---> Using cache\n ---> 5678ef\n' },
    { aux: { ID: 'sha256:5678ef' } },
    { stream: 'Successfully built 5678ef\n' },
  ];
  for (const l of lines) out.line(JSON.stringify(l));
  assert.equal(out.imageId, 'sha256:5678ef', 'aux ID kept, not replaced by the short one');
  assert.equal(out.error, undefined);
  assert.deepEqual(
    progress.map((p) => [p.message, p.step, p.total]),
    [
      ['Step 1/2 : FROM busybox', 1, 2],
      [' ---> 1234abcd', undefined, undefined],
      ['Step 2/2 : RUN make', 2, 2],
      [' ---> Using cache', undefined, undefined],
      [' ---> 5678ef', undefined, undefined],
      ['Successfully built 5678ef', undefined, undefined],
    ],
  );
  assert.deepEqual(
    placed().map((r) => [r.line, r.cached]),
    [
      [1, false],
      [2, true],
    ],
  );
});

test('legacy output: "Successfully built" gives the ID without aux; an error is kept and marks the step', () => {
  const ok = reader('FROM busybox\n', false);
  ok.out.line(JSON.stringify({ stream: 'Successfully built 0a1b2c\n' }));
  assert.equal(ok.out.imageId, '0a1b2c');

  const { out, progress } = reader('FROM busybox\nRUN false\n', false);
  out.line(JSON.stringify({ stream: 'Step 2/2 : RUN false\n' }));
  out.line(JSON.stringify({ error: "The command '/bin/sh -c false' returned a non-zero code: 1\n" }));
  out.line('not json at all');
  out.line('   ');
  out.line(JSON.stringify({ status: 'Downloading' }));
  assert.equal(out.error, "The command '/bin/sh -c false' returned a non-zero code: 1");
  assert.equal(out.imageId, undefined);
  assert.deepEqual(
    progress.slice(1).map((p) => p.message),
    ["error: The command '/bin/sh -c false' returned a non-zero code: 1", 'not json at all', 'Downloading'],
  );
  assert.equal(out.tracker.records(Date.now())[0].error, out.error);
});

test('BuildKit output: a recorded trace gives state lines with step numbers, and records for the steps', () => {
  const { out, progress, placed } = reader(fs.readFileSync(path.join(fixtures, 'chain', 'Dockerfile'), 'utf8'), true);
  const lines = fs
    .readFileSync(path.join(fixtures, 'recorded', 'buildkit-trace-chain.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  for (const l of lines) out.line(l);
  const done = progress.filter((p) => / DONE \d+\.\ds$/.test(p.message));
  assert.ok(done.length > 0, progress.map((p) => p.message).join('\n'));
  assert.ok(
    progress.some((p) => p.step !== undefined && p.total !== undefined),
    'numbered vertices carry step and total',
  );
  assert.ok(
    placed().some((r) => r.line === 10),
    'the RUN of line 10 is placed',
  );
});

test('buildah (Podman) output: per-stage STEP numbers placed on their lines, "--> Using cache <id>" marks', () => {
  const text = [
    'ARG V=1',
    'FROM busybox:latest AS build',
    'RUN dd if=/dev/zero of=/a bs=1000 count=4',
    '',
    'FROM busybox:latest AS final',
    'COPY --from=build /a /a',
    'ENTRYPOINT ["/bin/sh"]',
    '',
  ].join('\n');
  const { out, progress } = reader(text, false);
  const placed = () => placeBuildRecords(parseDockerfile(text), 'buildah', out.tracker.records(Date.now()));
  // recorded from podman 4.3.1's compat API (a rebuild: the build stage's RUN from cache)
  const lines = [
    { stream: '[1/2] STEP 1/2: FROM busybox:latest AS build\n' },
    { stream: '[1/2] STEP 2/2: RUN dd if=/dev/zero of=/a bs=1000 count=4\n' },
    { stream: '--> Using cache 6ad2473e347f0d0c2e0c5e3a4fbc3f1c0b6b2f6f1c1a35b1d6c1f0e7e2c3d4a5\n' },
    { stream: '--> 6ad2473e347\n' },
    { stream: '[2/2] STEP 1/3: FROM busybox:latest AS final\n' },
    { stream: '[2/2] STEP 2/3: COPY --from=build /a /a\n' },
    { stream: '--> 21faaff9f72\n' },
    { stream: '[2/2] STEP 3/3: ENTRYPOINT ["/bin/sh"]\n' },
    { stream: '[2/2] COMMIT docker.io/library/x:1\n' },
    { stream: '--> 4d9737e474f\n' },
    { aux: { ID: 'sha256:4d9737e474f539e2b6efc412d88906b560c2efa4e856c8b52d94f6ccae337885' } },
  ];
  for (const l of lines) out.line(JSON.stringify(l));
  assert.deepEqual(
    placed().map((r) => [r.line, r.cached]),
    [
      [2, false],
      [3, true],
      [5, false],
      [6, false],
      [7, false],
    ],
  );
  assert.ok(progress.some((p) => p.step === 2 && p.total === 3));
  assert.equal(out.imageId, 'sha256:4d9737e474f539e2b6efc412d88906b560c2efa4e856c8b52d94f6ccae337885');
});
