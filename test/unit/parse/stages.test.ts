// Stages (analysis/parse/stages.ts): links by name or index (FROM stage, COPY --from, RUN --mount=from), the target
// stage and the stages its FROM chain goes through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { step } from './helpers';

const MULTI = [
  'FROM golang:1.22 AS build', //       stage 0
  'WORKDIR /src',
  'RUN go build -o /out/app',
  'FROM alpine AS certs', //            stage 1
  'RUN apk add ca-certificates',
  'FROM build AS test', //              stage 2 (FROM stage)
  'RUN go test ./...',
  'FROM scratch AS final', //           stage 3
  'COPY --from=build /out/app /app',
  'COPY --from=1 /etc/ssl/certs /etc/ssl/certs',
  'RUN --mount=type=bind,from=test,source=/src,target=/t true',
  'COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/',
  'COPY --from=later /x /x',
  'FROM final AS debug', //             stage 4
  'RUN echo debug',
].join('\n');

test('stage links: FROM stage, COPY --from=name, --from=index, RUN --mount=from=, and images', () => {
  const m = parseDockerfile(MULTI);
  assert.deepEqual(
    m.stages.map((s) => [s.name, s.baseStage, s.dependsOn]),
    [
      ['build', null, []],
      ['certs', null, []],
      ['test', 0, [0]],
      ['final', null, [0, 1, 2]],
      ['debug', 3, [3]],
    ],
  );
  assert.deepEqual(step(m, 9).copyFrom, { stage: 0, image: null, raw: 'build' });
  assert.deepEqual(step(m, 10).copyFrom, { stage: 1, image: null, raw: '1' });
  assert.deepEqual(step(m, 11).copyFrom, { stage: 2, image: null, raw: 'test' });
  assert.deepEqual(step(m, 12).copyFrom, { stage: null, image: 'nginx:latest', raw: 'nginx:latest' });
  assert.equal(step(m, 13).copyFrom?.stage, null, 'a stage defined later cannot be copied from');
  assert.equal(step(m, 7).workdir, '/src', 'FROM build inherits its WORKDIR');
  assert.deepEqual(m.stages[3].steps, [7, 8, 9, 10, 11, 12]);
});

test('target selection: the last stage by default, or --target; reachesFinal follows FROM chains only', () => {
  const m = parseDockerfile(MULTI);
  assert.equal(m.target, 4);
  assert.deepEqual(
    m.stages.map((s) => [s.final, s.reachesFinal]),
    [
      [false, false],
      [false, false],
      [false, false],
      [false, true],
      [true, true],
    ],
  );
  const t = parseDockerfile(MULTI, { target: 'TEST' });
  assert.equal(t.target, 2);
  assert.deepEqual(
    t.stages.map((s) => s.reachesFinal),
    [true, false, true, false, false],
  );
  const missing = parseDockerfile(MULTI, { target: 'nope' });
  assert.equal(missing.target, 4);
  assert.ok(missing.problems.some((p) => p.includes('"nope"')));
});
