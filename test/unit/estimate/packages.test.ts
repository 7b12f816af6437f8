// Reading package-manager commands and requirements files (server/src/analysis/estimate/packages.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAptInstall, requirementNames } from '../../../server/src/analysis/estimate/packages';
import { splitCommands } from '../../../server/src/analysis/shell';

test('apt-get install arguments: options, versions, release and arch qualifiers', () => {
  const [cmd] = splitCommands(
    'apt-get -o Dpkg::Options::=--force-confnew install -y --no-install-recommends curl=7.88.1-10 git/bookworm-backports libc6:amd64 $EXTRA',
  );
  const r = readAptInstall(cmd);
  assert.ok(r);
  assert.deepEqual(r.packages, ['curl', 'git', 'libc6']);
  assert.equal(r.noRecommends, true);
  assert.deepEqual(r.unreadable, ['$EXTRA']);
  const [cfg] = splitCommands('apt-get install -y -o APT::Install-Recommends=false vim');
  assert.equal(readAptInstall(cfg)?.noRecommends, true);
  const [upd] = splitCommands('apt-get update');
  assert.equal(readAptInstall(upd), null);
});

test('requirements files: distribution names, normalised; comments, options and URLs without #egg= skipped', () => {
  assert.deepEqual(
    requirementNames('# c\nNumPy==2.0\nrequests[socks]>=2  # x\n-r other.txt\ngit+https://x/y.git#egg=my_pkg\n'),
    ['numpy', 'requests', 'my-pkg'],
  );
});
