// Reading package-manager commands and requirements files (server/src/analysis/packageCommands.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  packageCommand,
  readApkAdd,
  readAptInstall,
  readAptMark,
  readAptRemove,
  readNodeInstall,
  readPipInstall,
  requirementNames,
} from '../../server/src/analysis/packageCommands';
import { splitCommands } from '../../server/src/analysis/shell';
import { fixtureContext, stepsAt } from './estimate/helpers';
import { applyFix, df, findings } from './fixes';

const cmd = (text: string) => splitCommands(text)[0];

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

test('apk: global options before the applet, --update and -U, -t for --virtual', () => {
  assert.deepEqual(readApkAdd(cmd('apk --no-cache add build-base git')), {
    packages: ['build-base', 'git'],
    noCache: true,
    virtual: null,
    unreadable: [],
  });
  assert.equal(readApkAdd(cmd('apk --no-cache --update add curl'))?.noCache, true);
  assert.equal(readApkAdd(cmd('apk -U add curl'))?.noCache, false);
  assert.deepEqual(readApkAdd(cmd('apk --update-cache add curl'))?.packages, ['curl']);
  assert.deepEqual(readApkAdd(cmd('apk -X https://mirror/edge/main add -t .deps gcc'))?.packages, ['gcc']);
  assert.equal(readApkAdd(cmd('apk -X https://mirror/edge/main add -t .deps gcc'))?.virtual, '.deps');
  assert.equal(readApkAdd(cmd('apk --no-cache del curl')), null);
});

test('apt and apt-get: options anywhere, -q does not take the next word, -o takes one', () => {
  for (const t of [
    'apt install curl',
    'apt --yes install curl',
    'apt-get -y -q install curl',
    'apt-get -yq install curl',
    'apt-get -q=2 install curl',
    'apt-get -o Dpkg::Options::=--force-confold install -y curl',
    'apt-get --option=Acquire::Retries=3 install curl',
  ])
    assert.deepEqual(readAptInstall(cmd(t))?.packages, ['curl'], t);
  assert.equal(readAptInstall(cmd('apt-get -t bookworm-backports install -y curl'))?.packages[0], 'curl');
  assert.equal(readAptInstall(cmd('apt-get install --install-recommends=no curl'))?.noRecommends, true);
  assert.equal(packageCommand(cmd('apt-get -qq update'))?.sub, 'update');
});

test('npm, yarn, pnpm: yarn with flags only is an install, option values are not packages', () => {
  const yarn = readNodeInstall(cmd('yarn --frozen-lockfile --network-timeout 600000'));
  assert.deepEqual(yarn, { tool: 'yarn', named: [], omitDev: false });
  assert.equal(readNodeInstall(cmd('yarn --version')), null);
  assert.equal(readNodeInstall(cmd('yarn build')), null);
  assert.equal(readNodeInstall(cmd('yarn install --production=false'))?.omitDev, false);
  assert.equal(readNodeInstall(cmd('yarn install --production'))?.omitDev, true);
  assert.deepEqual(readNodeInstall(cmd('npm --prefix /app ci --omit dev')), { tool: 'npm', named: [], omitDev: true });
  assert.deepEqual(readNodeInstall(cmd('npm install --registry https://r.example express'))?.named, ['express']);
  assert.deepEqual(readNodeInstall(cmd('pnpm --filter web install --prod'))?.named, []);
  assert.equal(readNodeInstall(cmd('pnpm --filter web install --prod'))?.omitDev, true);
});

test('pip: abbreviated long options, values attached or apart, the env form, python -m pip, pip3.11', () => {
  const read = (t: string) => readPipInstall(cmd(t));
  assert.equal(read('pip install --no-cache flask')?.noCacheDir, true, 'optparse: a unique prefix');
  assert.equal(read('pip install --no-ca flask')?.noCacheDir, true);
  assert.equal(read('pip install --no-c flask')?.noCacheDir, false, 'ambiguous: --no-color, --no-compile, ...');
  assert.equal(read('pip --no-cache-dir install flask')?.noCacheDir, true, 'a general option before install');
  assert.equal(read('pip install --no-cache-dir=1 flask')?.noCacheDir, true);
  assert.equal(read('PIP_NO_CACHE_DIR=1 pip install flask')?.noCacheDir, true);
  assert.equal(read('env PIP_NO_CACHE_DIR=off pip install flask')?.noCacheDir, true, 'pip takes any value as off');
  assert.deepEqual(read('python3 -m pip install --index https://pypi.example/simple -r requirements.txt -U flask'), {
    requirementFiles: ['requirements.txt'],
    named: ['flask'],
    noCacheDir: false,
    uv: false,
    indexUrls: ['https://pypi.example/simple'],
  });
  assert.deepEqual(read('pip3.11 install -Ur reqs.txt --index-url https://pypi.example/simple')?.requirementFiles, [
    'reqs.txt',
  ]);
  assert.deepEqual(read('pip install --target=/opt/lib -e . gunicorn')?.named, ['.', 'gunicorn']);
  assert.equal(read('uv pip install flask')?.uv, true, 'uv pip is marked: it has its own cache');
  assert.equal(read('pip install flask')?.uv, false);
  assert.equal(packageCommand(cmd('uv pip install flask'))?.sub, 'install');
  assert.equal(read('pip download flask'), null);
  assert.deepEqual(read('pip install --req requirements.txt')?.requirementFiles, [], 'ambiguous: pip refuses it');
});

// The same command seen by a rule and by the estimate: one reader serves both.

test('apk --no-cache add before the applet: estimated, and no apk-no-cache finding; apk add --update is one', () => {
  const text = df(
    'FROM alpine:3.24',
    'RUN apk --no-cache add build-base git',
    'RUN apk add --update curl',
    'RUN apk -U add jq',
  );
  const at = stepsAt(text);
  assert.ok((at(2).size?.bytes ?? 0) > 1e6, `build-base and git: ${at(2).size?.basis}`);
  assert.doesNotMatch(at(2).size?.basis ?? '', /APKINDEX/);
  assert.match(at(3).size?.basis ?? '', /APKINDEX cache/);
  assert.match(at(4).size?.basis ?? '', /APKINDEX cache/);
  assert.deepEqual(
    findings(text, 'apk-no-cache').map((f) => f.line),
    [3, 4],
  );
  assert.equal(
    applyFix(df('FROM alpine:3.24', 'RUN apk -U add jq'), 'apk-no-cache').fixed,
    df('FROM alpine:3.24', 'RUN apk -U add --no-cache jq'),
  );
});

test('apt install and apt-get with options before install: apt-no-install-recommends and the same estimate', () => {
  const spellings = [
    'apt-get install -y curl',
    'apt install curl',
    'apt --yes install curl',
    'apt-get -y -q install curl',
    'apt-get -o Dpkg::Options::=--force-confold install -y curl',
  ];
  const one = (s: string) => df('FROM debian:bookworm-slim', `RUN apt-get update && ${s}`);
  const plain = stepsAt(one(spellings[0]))(2).size?.bytes ?? 0;
  assert.ok(plain > 1e6, 'curl with its Recommends');
  for (const s of spellings) {
    assert.equal(stepsAt(one(s))(2).size?.bytes, plain, s);
    assert.equal(findings(one(s), 'apt-no-install-recommends').length, 1, s);
  }
  const apt = df('FROM debian:bookworm-slim', 'RUN apt update && apt install -y curl');
  assert.equal(
    applyFix(apt, 'apt-no-install-recommends').fixed,
    df('FROM debian:bookworm-slim', 'RUN apt update && apt install --no-install-recommends -y curl'),
  );
  const off = df(
    'FROM debian:bookworm-slim',
    'RUN apt-get update && apt -o APT::Install-Recommends=false install -y curl',
  );
  assert.equal(findings(off, 'apt-no-install-recommends').length, 0);
  assert.ok((stepsAt(off)(2).size?.bytes ?? 0) < plain, 'without Recommends');
});

test('yarn with flags only after COPY . .: estimated from the lockfile, and copy-before-install sees the install', async () => {
  const ctx = await fixtureContext('estimate-context');
  const text = df(
    'FROM node:22-bookworm-slim',
    'WORKDIR /app',
    'COPY . .',
    'RUN yarn --frozen-lockfile --network-timeout 600000',
  );
  const size = stepsAt(text, { context: ctx })(4).size;
  assert.ok(size && size.bytes > 0, size?.basis);
  assert.match(size.basis, /^yarn: .*package-lock\.json/);
  const f = findings(text, 'copy-before-install', { context: ctx });
  assert.equal(f.length, 1);
  assert.match(f[0].message, /before line 4 installs Yarn dependencies/);
  assert.equal(findings(df('FROM node:22', 'COPY . .', 'RUN yarn --version'), 'copy-before-install').length, 0);
});

test('pip install --no-cache: no pip-no-cache-dir finding and no cache in the estimate; python -m pip and pip3.11 are pip', () => {
  const text = df(
    'FROM python:3.12-slim',
    'RUN pip install --no-cache-dir flask',
    'RUN pip install --no-cache flask',
    'RUN pip install flask',
    'RUN python3 -m pip install flask',
    'RUN pip3.11 install flask',
  );
  const at = stepsAt(text);
  const without = at(2).size?.bytes ?? 0;
  assert.ok(without > 0);
  assert.equal(at(3).size?.bytes, without);
  assert.ok((at(4).size?.bytes ?? 0) > without, 'the wheel cache stays');
  assert.equal(at(5).size?.bytes, at(4).size?.bytes);
  assert.equal(at(6).size?.bytes, at(4).size?.bytes);
  assert.deepEqual(
    findings(text, 'pip-no-cache-dir').map((f) => f.line),
    [4, 5, 6],
  );
  assert.equal(
    applyFix(df('FROM python:3.12-slim', 'RUN python3 -m pip install flask'), 'pip-no-cache-dir').fixed,
    df('FROM python:3.12-slim', 'RUN python3 -m pip install --no-cache-dir flask'),
  );
});
