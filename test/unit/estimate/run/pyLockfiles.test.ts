// Python lockfiles and requirements read for Linux (server/src/analysis/estimate/run/pyLockfiles.ts) and the
// markers they carry (pyMarkers.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  readRequirements,
  readUvLock,
  uvInstallSet,
  wheelRank,
} from '../../../../server/src/analysis/estimate/run/pyLockfiles';
import { DEFAULT_PY_ENV, markerHolds, pyEnvFor } from '../../../../server/src/analysis/estimate/run/pyMarkers';
import { fixture } from '../helpers';

test('markers: platform, versions, extras, nesting', () => {
  const env = DEFAULT_PY_ENV;
  assert.equal(markerHolds("sys_platform == 'win32'", env), false);
  assert.equal(markerHolds('platform_system == "Linux" and platform_machine == "x86_64"', env), true);
  assert.equal(markerHolds("platform_machine == 'x86_64'", pyEnvFor('linux/arm64', '3.12')), false);
  assert.equal(markerHolds("python_full_version < '3.11'", env), false);
  assert.equal(markerHolds("python_version >= '3.9' and (sys_platform == 'darwin' or extra == 'gpu')", env), false);
  assert.equal(markerHolds("extra == 'gpu'", { ...env, extras: ['gpu'] }), true);
  assert.equal(markerHolds("python_full_version == '3.12.*'", env), true);
  assert.equal(markerHolds("sys_platform not in 'win32 cygwin'", env), true);
  assert.equal(markerHolds('((((', env), true, 'unreadable: kept');
});

test('uv.lock: the Linux fork, extras of a dependency, dev group', () => {
  const pkgs = readUvLock(fs.readFileSync(fixture('python-locks', 'uv', 'uv.lock'), 'utf8'));
  assert.ok(pkgs);
  const set = uvInstallSet(pkgs, DEFAULT_PY_ENV, { dev: false, groups: [], extras: [], allExtras: false }, '3.12');
  assert.deepEqual(set.map((d) => `${d.name} ${d.version} ${d.wheelBytes}`).sort(), [
    'h2 4.1.0 57488',
    'httpx 0.28.1 73517',
    'idna 3.10 70442',
    'numpy 2.1.0 16000000',
  ]);
  const arm = uvInstallSet(
    pkgs,
    pyEnvFor('linux/arm64', '3.12'),
    { dev: true, groups: [], extras: [], allExtras: false },
    '3.12',
  );
  assert.equal(arm.find((d) => d.name === 'numpy')?.wheelBytes, 13_000_000);
  assert.ok(arm.some((d) => d.name === 'pytest'));
});

test('wheel tags: the CPython build for the machine, else abi3, else pure', () => {
  assert.ok(
    wheelRank('x-1-cp312-cp312-manylinux_2_17_x86_64.whl', 'cp312', 'x86_64') >
      wheelRank('x-1-cp39-abi3-manylinux_2_17_x86_64.whl', 'cp312', 'x86_64'),
  );
  assert.ok(
    wheelRank('x-1-cp39-abi3-manylinux_2_17_x86_64.whl', 'cp312', 'x86_64') >
      wheelRank('x-1-py3-none-any.whl', 'cp312', 'x86_64'),
  );
  assert.equal(wheelRank('x-1-cp312-cp312-win_amd64.whl', 'cp312', 'x86_64'), 0);
  assert.equal(wheelRank('x-1-cp313-cp313-manylinux_2_17_x86_64.whl', 'cp312', 'x86_64'), 0);
  assert.equal(wheelRank('x-1-cp312-cp312-musllinux_1_2_x86_64.whl', 'cp312', 'x86_64'), 0);
});

test('requirements: pins, extras, hashes on continuation lines, includes, direct references', () => {
  const r = readRequirements(
    '-r base.txt\n--requirement=dev.txt\nDjango[argon2]==5.2 \\\n    --hash=sha256:00\nrequests>=2\nfoo==1.* \ngit+https://x/y.git#egg=my_pkg\npkg @ https://x/pkg.whl\npywin32==1 ; sys_platform == "win32"\n',
    DEFAULT_PY_ENV,
  );
  assert.deepEqual(r.includes, ['base.txt', 'dev.txt']);
  assert.deepEqual(
    r.reqs.map((q) => [q.name, q.version, q.direct]),
    [
      ['django', '5.2', false],
      ['requests', null, false],
      ['foo', null, false],
      ['my-pkg', null, true],
      ['pkg', null, true],
    ],
  );
});
