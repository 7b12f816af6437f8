// The packages of Node lockfiles, with versions, dev flags and platforms (estimate/run/lockfiles.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockEntries, type LockEntry } from '../../../../server/src/analysis/estimate/run/lockfiles';

const brief = (es: LockEntry[] | undefined) =>
  (es ?? []).map(
    (e) =>
      `${e.name}@${e.link ? 'link' : e.version}${e.dev ? ' dev' : ''}${e.os ? ` ${e.os}/${e.cpu ?? ''}/${e.libc ?? ''}` : ''}`,
  );

test('package-lock v3: versions, dev, os/cpu/libc, resolved, nesting, links', () => {
  const lock = lockEntries(
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/a': { version: '1.2.3', resolved: 'https://r/a/-/a-1.2.3.tgz' },
        'node_modules/a/node_modules/b': { version: '2.0.0', dev: true },
        'node_modules/@next/swc-linux-x64-musl': {
          version: '15.3.3',
          optional: true,
          os: ['linux'],
          cpu: ['x64'],
          libc: ['musl'],
        },
        'node_modules/alias': { name: 'real-name', version: '3.0.0' },
        'node_modules/ws-pkg': { resolved: 'packages/ws-pkg', link: true },
      },
    }),
    'app/package-lock.json',
  );
  assert.equal(lock?.kind, 'npm');
  assert.deepEqual(brief(lock?.entries), [
    'a@1.2.3',
    'b@2.0.0 dev',
    '@next/swc-linux-x64-musl@15.3.3 linux/x64/musl',
    'real-name@3.0.0',
    'ws-pkg@link',
  ]);
  assert.equal(lock?.entries[0].resolved, true);
  assert.equal(lock?.entries[1].resolved, false);
  assert.equal(lock?.entries[1].path, 'node_modules/a/node_modules/b');
  assert.equal(lockEntries('not json', 'package-lock.json'), null);
});

test('package-lock v1: nested dependencies with versions and dev', () => {
  const lock = lockEntries(
    '{"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},"c":{"version":"3.0.0","dev":true}}}',
    'package-lock.json',
  );
  assert.deepEqual(brief(lock?.entries), ['a@1.0.0', 'b@2.0.0', 'c@3.0.0 dev']);
});

test('yarn.lock classic and berry: one entry per version; berry conditions and workspaces', () => {
  const classic = lockEntries(
    '# yarn lockfile v1\n\n"@scope/x@^1.0.0", "@scope/x@^1.1.0":\n  version "1.1.0"\n  resolved "https://r/x.tgz"\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n\nleft-pad@^2:\n  version "2.0.1"\n',
    'yarn.lock',
  );
  assert.equal(classic?.kind, 'yarn');
  assert.deepEqual(brief(classic?.entries), ['@scope/x@1.1.0', 'left-pad@1.3.0', 'left-pad@2.0.1']);
  const berry = lockEntries(
    [
      '__metadata:',
      '  version: 8',
      '',
      '"@esbuild/linux-arm64@npm:0.25.0":',
      '  version: 0.25.0',
      '  conditions: os=linux & cpu=arm64',
      '  languageName: node',
      '  linkType: hard',
      '',
      '"app@workspace:.":',
      '  version: 0.0.0-use.local',
      '  linkType: soft',
    ].join('\n'),
    'yarn.lock',
  );
  assert.equal(berry?.kind, 'yarn-berry');
  assert.deepEqual(brief(berry?.entries), ['@esbuild/linux-arm64@0.25.0 linux/arm64/', 'app@link']);
});

test('pnpm-lock.yaml v9 and v6: packages with versions, platforms and dev flags', () => {
  const v9 = lockEntries(
    [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      left-pad:',
      '        version: 1.3.0',
      'packages:',
      "  '@esbuild/linux-x64@0.27.7':",
      '    resolution: {integrity: sha512-x}',
      '    cpu: [x64]',
      '    os: [linux]',
      '  left-pad@1.3.0:',
      '    resolution: {integrity: sha512-y}',
      'snapshots:',
      '  left-pad@1.3.0: {}',
    ].join('\n'),
    'pnpm-lock.yaml',
  );
  assert.deepEqual(brief(v9?.entries), ['@esbuild/linux-x64@0.27.7 linux/x64/', 'left-pad@1.3.0']);
  const v6 = lockEntries(
    "lockfileVersion: '6.0'\npackages:\n  /jest@29.7.0(@types/node@20.0.0):\n    dev: true\n  /@scope/lib@2.1.0:\n    dev: false\n",
    'pnpm-lock.yaml',
  );
  assert.deepEqual(brief(v6?.entries), ['jest@29.7.0 dev', '@scope/lib@2.1.0']);
});
