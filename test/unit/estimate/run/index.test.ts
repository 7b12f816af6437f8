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

test('undecided branches: the largest counts and the basis says which; equal ones say nothing; the sizing is bounded', () => {
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      'RUN if [ -f /etc/x ]; then echo a; else echo b; fi && mkdir /data',
      'RUN case "$(cat /etc/flavor)" in min) apt-get update && apt-get install -y --no-install-recommends xz-utils ;; full) apt-get update && apt-get install -y --no-install-recommends gcc ;; esac; rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      `RUN ${Array.from({ length: 30 }, (_, i) => `if [ -f /x${i} ]; then apt-get install -y --no-install-recommends gcc; fi`).join('; ')}`,
    ].join('\n'),
  );
  assert.equal(at(2).size?.bytes, 0);
  assert.doesNotMatch(at(2).size?.basis ?? '', /cannot be decided/, 'both branches write nothing: nothing to say');
  const c = at(3).size;
  assert.ok(c && c.bytes > 50e6, 'gcc, the larger branch');
  assert.match(
    c.basis,
    /cannot be decided before the build, so the largest branch is counted: `case "\$\(cat \/etc\/flavor\)"` \(full\)\)/,
  );
  const many = at(5).size;
  assert.ok(many && many.bytes > 50e6);
  // one branch installs gcc; the others then add nothing more, and are not named
  assert.match(many.basis, /largest branch is counted: `if \[ -f \/x0 \]` \(then\); 18 more/);
  assert.match(
    many.basis,
    /18 more undecided branches past the sizing budget: each counted at its branch with the most commands/,
  );
});
