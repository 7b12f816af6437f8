// Reading package-manager commands and requirements files (server/src/analysis/packageCommands.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readAptInstall,
  readAptMark,
  readAptRemove,
  requirementNames,
} from '../../server/src/analysis/packageCommands';
import { splitCommands } from '../../server/src/analysis/shell';

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

test('apt-get remove/purge/autoremove: names, --auto-remove, RecommendsImportant', () => {
  const read = (t: string) => readAptRemove(splitCommands(t)[0]);
  assert.deepEqual(read('apt-get purge -y --auto-remove gcc libc6-dev:amd64 $DEPS'), {
    packages: ['gcc', 'libc6-dev'],
    autoRemove: true,
    recommendsImportant: true,
    unreadable: ['$DEPS'],
  });
  const official = read('apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false');
  assert.equal(official?.recommendsImportant, false);
  assert.deepEqual(official?.packages, []);
  assert.equal(read('apt-get --yes autoremove --purge')?.autoRemove, true);
  assert.equal(read('apt-get remove -y curl')?.autoRemove, false);
  assert.equal(read('apt-get -o APT::Get::AutomaticRemove=true remove curl')?.autoRemove, true);
  assert.equal(read('apt-get install -y curl'), null);
});

test('apt-mark auto/manual: names, patterns every package matches, words not known here; redirections skipped', () => {
  const read = (t: string) => readAptMark(splitCommands(t)[0]);
  assert.deepEqual(read("apt-mark auto '.*' > /dev/null"), { manual: false, packages: [], all: true, words: [] });
  assert.deepEqual(read('apt-mark manual curl $savedAptMark >/dev/null 2>&1'), {
    manual: true,
    packages: ['curl'],
    all: false,
    words: ['$savedAptMark'],
  });
  assert.equal(read('xargs -r apt-mark auto')?.all, true, 'fed by apt-mark showmanual');
  assert.equal(read('apt-mark hold curl'), null);
  assert.equal(read('xargs rm'), null);
});
