// What the editor says about a step (report/describe.ts): the label, the inlay hint's tooltip and the hover.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import type { MeasuredImage } from '../../server/src/analysis/model';
import { stepHover, stepLabel, stepLabelParts, stepTooltip } from '../../server/src/report/describe';

const TEXT = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n';

test('the tooltip: the size with its basis, then the cache risk and each reason on a line of its own', () => {
  const a = analyze(TEXT);
  const from = stepTooltip(a.steps[0]).split('\n');
  assert.match(from[0], /^≈ [\d.]+ [kMG]?B \(estimate: .*node:20.*\)$/);
  assert.deepEqual(from.slice(1), [
    'cache risk: medium',
    '• re-runs when the base image node:20 is updated: the tag "20" names a major version and moves with each release (FROM at line 1)',
  ]);
  // without a build context the RUN's size is unknown: no size line
  assert.deepEqual(stepTooltip(a.steps[3]).split('\n'), [
    'cache risk: high',
    '• re-runs whenever any file in the context changes, because of COPY . . at line 3',
    '• re-runs when the base image node:20 is updated: the tag "20" names a major version and moves with each release (FROM at line 1)',
  ]);
});

test('measured steps: the label and hover say cached or how long it ran, the rebuild cost adds bytes and seconds', () => {
  const measured: MeasuredImage = {
    image: 'app:latest',
    bytes: 200_000_000,
    sizeKind: 'overlay2',
    steps: [
      { stepIndex: 2, bytes: 5_000_000, sizeKind: 'overlay2', cached: true, durationMs: 155 },
      { stepIndex: 3, bytes: 40_000_000, sizeKind: 'overlay2', cached: false, durationMs: 12_345 },
    ],
  };
  const a = analyze(TEXT, { measured });
  assert.equal(stepLabel(a.steps[2]), '5.00 MB · cache high · cached');
  assert.equal(stepLabel(a.steps[3]), '40.0 MB · cache high · ran 12.3 s');
  const hover = stepHover(a, a.steps[3]);
  assert.match(hover, /\*\*Last build:\*\* ran for 12\.3 s/);
  assert.match(hover, /\*\*Rebuild cost of a source edit:\*\* re-runs lines 3, 4 \(45\.0 MB, 12\.5 s\)/);
});

test('a CMD under a high step: no cache risk in its label or tooltip (it costs nothing), but the hover keeps it', () => {
  const a = analyze(TEXT);
  const cmd = a.steps[4];
  assert.equal(cmd.step.keyword, 'CMD');
  assert.equal(cmd.cacheRisk.level, 'high'); // the level is still computed (JSON, hover)
  assert.equal(stepLabel(cmd), '');
  assert.deepEqual(stepLabelParts(cmd), {});
  assert.equal(stepTooltip(cmd), '');
  assert.match(stepHover(a, cmd), /\*\*Cache risk:\*\* high/);
  // the steps around it still say theirs: the RUN (a layer), the WORKDIR (a layer when the folder is new), the FROM
  assert.equal(stepLabel(a.steps[3]), 'size ? · cache high');
  assert.equal(stepLabel(a.steps[1]), '≈ 0 B · cache medium');
  assert.match(stepLabel(a.steps[0]), /^≈ [\d.]+ [kMG]?B · cache medium$/);
});

test('a metadata step keeps the label of its last build, without a cache risk', () => {
  const measured: MeasuredImage = {
    image: 'app:latest',
    bytes: 200_000_000,
    sizeKind: 'overlay2',
    steps: [{ stepIndex: 4, bytes: 0, sizeKind: 'overlay2', cached: true }],
  };
  const a = analyze(TEXT, { measured });
  assert.equal(stepLabel(a.steps[4]), '0 B · cached');
  assert.doesNotMatch(stepTooltip(a.steps[4]), /cache risk/);
});
