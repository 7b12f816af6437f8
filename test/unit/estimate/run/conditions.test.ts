// What a RUN's shell knows before the build (server/src/analysis/estimate/run/conditions.ts): the target platform,
// variable values, tests and case patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evalTest,
  globMatch,
  ShellVars,
  targetArch,
  UNKNOWN,
} from '../../../../server/src/analysis/estimate/run/conditions';

test('the target platform: linux/amd64 by default, FROM --platform values, unknown ones', () => {
  assert.equal(targetArch(null)?.dpkg, 'amd64');
  assert.equal(targetArch('')?.uname, 'x86_64');
  assert.deepEqual(
    ['linux/arm64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/386', 'linux/ppc64le'].map((p) => targetArch(p)?.dpkg),
    ['arm64', 'arm64', 'armhf', 'i386', 'ppc64el'],
  );
  assert.equal(targetArch('linux/arm64')?.apk, 'aarch64');
  assert.equal(targetArch('windows/amd64'), null);
  assert.equal(targetArch('linux/mips64le'), null);
});

test('variables: declared values, unset ARGs, platform args, what the RUN assigns, and what cannot be known', () => {
  const v = new ShellVars(
    new Map<string, string | null>([
      ['GPU', null],
      ['MODE', 'cpu'],
      ['TARGETARCH', null],
      ['LIST', 'a b'],
    ]),
    targetArch('linux/arm64'),
  );
  assert.equal(v.valueOf('$GPU'), '', 'an ARG without a value is unset');
  assert.equal(v.valueOf('${GPU:-none}'), 'none');
  assert.equal(v.valueOf('${MODE:+x}-$MODE'), 'x-cpu');
  assert.equal(v.valueOf('$TARGETARCH'), 'arm64', 'BuildKit sets the platform args');
  assert.equal(v.valueOf('$HOME'), UNKNOWN, 'not declared in the file: the base image may set it');
  assert.equal(v.valueOf('$(dpkg --print-architecture)'), 'arm64');
  assert.equal(v.valueOf("$(dpkg --print-architecture | awk -F- '{ print $NF }')"), 'arm64');
  assert.equal(v.valueOf('`uname -m`'), 'aarch64');
  assert.equal(v.valueOf('$(apk --print-arch)'), 'aarch64');
  assert.equal(v.valueOf('$(cat /etc/os-release)'), UNKNOWN);
  assert.equal(v.valueOf('x$(id -u)'), UNKNOWN);
  assert.equal(v.valueOf('$1'), UNKNOWN);
  v.set('arch', 'linux-arm64');
  assert.equal(v.valueOf('${arch##*-}'), 'arm64');
  assert.equal(v.valueOf('${arch%%-*}'), 'linux');
  assert.equal(v.valueOf('${arch#x?}'), UNKNOWN, 'a trim pattern not read');
  assert.equal(v.valueOf('${#arch}'), UNKNOWN);
  assert.equal(v.valueOf('${arch:0:3}'), UNKNOWN);
  v.set('MODE', null);
  assert.equal(v.valueOf('[$MODE]'), '[]', 'unset by the RUN');
  assert.equal(new ShellVars(undefined, null).valueOf('$(uname -m)'), UNKNOWN, 'platform not known');
});

test('tests: -n, -z, =, !=, a single word, negation; other forms and unknown operands are undecided', () => {
  assert.equal(evalTest(['-n', '', ']'], '['), 'F');
  assert.equal(evalTest(['-z', '', ']'], '['), 'T');
  assert.equal(evalTest(['a', '=', 'a', ']'], '['), 'T');
  assert.equal(evalTest(['a', '!=', 'a'], 'test'), 'F');
  assert.equal(evalTest(['!', 'a', '==', 'b', ']'], '['), 'T');
  assert.equal(evalTest(['x', ']'], '['), 'T');
  assert.equal(evalTest([']'], '['), 'F');
  assert.equal(evalTest(['amd64', '==', 'amd*', ']]'], '[['), 'T', '[[ == ]] matches a pattern');
  assert.equal(evalTest(['amd64', '=', 'amd*', ']'], '['), 'F', '[ = ] compares strings');
  assert.equal(evalTest(['-f', '/etc/x', ']'], '['), 'U');
  assert.equal(evalTest(['1', '-eq', '1', ']'], '['), 'U');
  assert.equal(evalTest(['-n', UNKNOWN, ']'], '['), 'U');
  assert.equal(evalTest(['-n', 'x'], '['), 'U', 'no closing bracket');
});

test('case patterns: *, ?, brackets, alternatives are the caller’s; no pattern can make it slow', () => {
  assert.ok(globMatch('*', ''));
  assert.ok(globMatch('amd64', 'amd64'));
  assert.ok(globMatch('arm*', 'arm64'));
  assert.ok(globMatch('i?86', 'i686'));
  assert.ok(globMatch('[ax]86_64', 'x86_64'));
  assert.ok(!globMatch('[!x]86_64', 'x86_64'));
  assert.ok(globMatch('arm[0-9]*', 'arm64'));
  assert.ok(!globMatch('arm', 'arm64'));
  assert.ok(!globMatch('*64', 'armhf'));
  const long = 'a'.repeat(20_000);
  const t0 = Date.now();
  assert.ok(!globMatch('*a*a*a*a*a*b', long));
  assert.ok(Date.now() - t0 < 2_000);
});
