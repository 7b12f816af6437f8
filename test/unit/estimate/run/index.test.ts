// A RUN layer's estimate as a whole (server/src/analysis/estimate/run/index.ts): commands no estimator sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepsAt } from '../helpers';

test('RUN with commands we cannot size: null with the command named; trivial commands ~0', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN ./configure && make install\nRUN mkdir -p /data && ln -s /data /d\n',
  );
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /configure/);
  assert.equal(at(3).size?.bytes, 0);
});
