import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  basePackages,
  debianIndex,
  debianIndexDate,
  installClosure,
  knownBasePackages,
  loadDebianIndex,
  SUITES,
} from '../../../server/src/analysis/estimate/debian';
import { readAptInstall } from '../../../server/src/analysis/estimate/packages';
import { splitCommands } from '../../../server/src/analysis/shell';
import { repoRoot, stepsAt } from './helpers';

const idx = debianIndex('bookworm');

test('the Debian tables load for bookworm and trixie, with their index dates', () => {
  assert.ok(idx);
  const trixie = debianIndex('trixie');
  assert.ok(trixie);
  for (const i of [idx, trixie]) {
    assert.match(i.indexDate, /^\d{4}-\d\d-\d\d$/);
    const curl = i.get('curl');
    assert.ok(curl && curl.kib > 0);
    assert.ok(curl.depends.some((g) => g.some((n) => n.startsWith('libcurl'))));
  }
});

test('the precomputed base-image package sets are what the tables give (regenerate with scripts/gen-debian-base-sets.mjs)', () => {
  for (const suite of SUITES) {
    const index = debianIndex(suite);
    assert.ok(index);
    assert.equal(debianIndexDate(suite), index.indexDate);
    for (const set of ['minbase', 'buildpack-curl', 'buildpack-scm', 'buildpack-deps'] as const) {
      assert.deepEqual([...knownBasePackages(suite, set)], [...basePackages(index, set)].sort(), `${suite} ${set}`);
    }
  }
});

test('a virtual package resolves to the provider the system has, else the first one', () => {
  assert.ok(idx);
  assert.equal(idx.has('awk'), false);
  assert.deepEqual(idx.providers('awk'), ['gawk', 'mawk', 'original-awk']);
  assert.equal(idx.providers('curl'), undefined);
  const base = basePackages(idx, 'minbase');
  assert.deepEqual(installClosure(idx, base, ['awk'], true).added, [], 'mawk is in the base');
  assert.equal(installClosure(idx, new Set(), ['awk'], true).added[0]?.name, 'gawk');
});

test('any text can be looked up: names the table does not have are simply unknown', () => {
  assert.ok(idx);
  for (const name of [
    '',
    '!',
    '~~~',
    'zzzzzzzz',
    'CURL',
    'curl ',
    ' curl',
    'curl\0',
    'ĉurl',
    'curl-\u{1F600}',
    'lib'.repeat(400),
  ]) {
    assert.equal(idx.has(name), false, JSON.stringify(name));
    assert.equal(idx.get(name), undefined);
    assert.equal(idx.providers(name), undefined);
  }
  assert.deepEqual(installClosure(idx, new Set(), ['', 'ĉurl'], true), { added: [], unknown: ['', 'ĉurl'] });
});

test('a missing or damaged table file gives no index (the apt estimate says so), never a crash', () => {
  const data = path.join(repoRoot(), 'server', 'src', 'analysis', 'estimate', 'data');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-debian-'));
  try {
    assert.equal(loadDebianIndex('bookworm', [dir]), null, 'missing');
    const file = path.join(dir, 'debian-bookworm.bin.br');
    const good = fs.readFileSync(path.join(data, 'debian-bookworm.bin.br'));
    fs.writeFileSync(file, good.subarray(0, good.length >> 1));
    assert.equal(loadDebianIndex('bookworm', [dir]), null, 'truncated');
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0x20;
    fs.writeFileSync(file, flipped);
    assert.equal(loadDebianIndex('bookworm', [dir]), null, 'one byte changed');
    fs.writeFileSync(file, 'not a table');
    assert.equal(loadDebianIndex('bookworm', [dir]), null, 'not a table');
    fs.writeFileSync(file, good);
    assert.equal(loadDebianIndex('bookworm', [dir])?.get('curl')?.kib, idx?.get('curl')?.kib, 'a sound copy loads');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the base set is debootstrap minbase: required packages and apt, nothing optional', () => {
  assert.ok(idx);
  const base = basePackages(idx, 'minbase');
  for (const p of ['apt', 'dpkg', 'bash', 'coreutils', 'libc6', 'mawk', 'debconf']) assert.ok(base.has(p), p);
  for (const p of ['curl', 'gawk', 'usrmerge', 'perl', 'git', 'ca-certificates']) assert.ok(!base.has(p), p);
  const full = basePackages(idx, 'buildpack-deps');
  for (const p of ['curl', 'git', 'gcc', 'make', 'ca-certificates']) assert.ok(full.has(p), p);
});

test('dependencies the base already has are not counted again', () => {
  assert.ok(idx);
  const base = basePackages(idx, 'minbase');
  const curl = installClosure(idx, base, ['curl'], true);
  assert.ok(curl.added.some((p) => p.name === 'libcurl4'));
  assert.ok(!curl.added.some((p) => p.name === 'libc6'), 'libc6 is in the base');
  const withBase = new Set([...base, ...curl.added.map((p) => p.name)]);
  const again = installClosure(idx, withBase, ['curl'], true);
  assert.equal(again.added.length, 0);
  const unknown = installClosure(idx, base, ['no-such-package-xyz'], true);
  assert.deepEqual(unknown.unknown, ['no-such-package-xyz']);
});

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

test('an apt-get install layer: Installed-Size of the new packages, with the index date in the basis', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
  );
  const size = at(2).size;
  assert.ok(size);
  assert.equal(size.source, 'estimate');
  assert.match(size.basis, /Installed-Size of 16 Debian bookworm packages \(index \d{4}-\d\d-\d\d\)/);
  assert.ok(size.bytes > 5e6 && size.bytes < 30e6, `curl with its libraries is ~12 MB, got ${size.bytes}`);
  assert.doesNotMatch(size.basis, /apt lists/);
});

test('Recommends add up, lists kept add their size, later installs reuse earlier ones', () => {
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends git',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl',
      'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
    ].join('\n'),
  );
  const noRec = at(2).size?.bytes ?? 0;
  const recAfter = at(3).size?.bytes ?? 0;
  const rec = at(5).size?.bytes ?? 0;
  const listsKept = at(7).size?.bytes ?? 0;
  const gitAfterCurl = at(10).size?.bytes ?? 0;
  assert.ok(rec > noRec, 'Recommends add packages');
  assert.ok(recAfter < rec, 'git already installed: only the recommends are new');
  assert.match(at(5).size?.basis ?? '', /with their Recommends/);
  assert.ok(listsKept > noRec, 'lists not removed stay in the layer');
  assert.match(at(7).size?.basis ?? '', /apt lists left by apt-get update/);
  assert.ok(gitAfterCurl < noRec, 'curl already brought libcurl dependencies');
});

test('trixie bases use the trixie index; a FROM <stage> keeps what that stage installed', () => {
  const at = stepsAt(
    [
      'FROM debian:trixie-slim AS base',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'FROM base',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ].join('\n'),
  );
  assert.match(at(2).size?.basis ?? '', /Debian trixie packages/);
  assert.equal(at(3).size?.bytes, 0);
  assert.match(at(3).size?.basis ?? '', /stage base/);
  assert.match(at(4).size?.basis ?? '', /Installed-Size of 0 Debian trixie packages/);
});

test('apt on an unknown base or on Alpine has no estimate, and says why', () => {
  const at = stepsAt(
    'FROM mycorp/base:1\nRUN apt-get update && apt-get install -y curl\nFROM alpine:3.24\nRUN apt-get install -y curl\n',
  );
  assert.equal(at(1).size, null);
  assert.match(at(1).sizeNote ?? '', /unknown base image mycorp\/base:1/);
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /unknown base image/);
  assert.equal(at(4).size, null);
  assert.match(at(4).sizeNote ?? '', /Alpine/);
});

test('packages the index does not know are named in the basis', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl not-a-package-xyz && rm -rf /var/lib/apt/lists/*\n',
  );
  assert.match(at(2).size?.basis ?? '', /not in the index \(not counted\): not-a-package-xyz/);
});
