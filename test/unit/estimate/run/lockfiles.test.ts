// The package names of Node lockfiles (server/src/analysis/estimate/run/lockfiles.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockPackages } from '../../../../server/src/analysis/estimate/run/lockfiles';

test('lockfile readers: npm v3, npm v1, yarn classic', () => {
  assert.deepEqual(
    lockPackages(
      '{"packages":{"":{},"node_modules/a":{},"node_modules/a/node_modules/b":{"dev":true}}}',
      'package-lock.json',
      true,
    ),
    ['a'],
  );
  // (names are counted and sized, in no particular order)
  assert.deepEqual(
    lockPackages(
      '{"dependencies":{"a":{"dependencies":{"b":{}}},"c":{"dev":true}}}',
      'package-lock.json',
      false,
    )?.sort(),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    lockPackages(
      '# yarn lockfile v1\n\n"@scope/x@^1.0.0", "@scope/x@^1.1.0":\n  version "1.1.0"\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n',
      'yarn.lock',
      false,
    ),
    ['@scope/x', 'left-pad'],
  );
  assert.equal(lockPackages('not json', 'package-lock.json', false), null);
});
