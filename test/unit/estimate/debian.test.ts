// What an apt-get install adds over a Debian table (server/src/analysis/estimate/debian.ts): the dependency closure
// and the packages official images already have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basePackages, installClosure, knownBasePackages } from '../../../server/src/analysis/estimate/debian';
import { debianIndex, debianIndexDate, SUITES } from '../../../server/src/analysis/estimate/debianTable';

const idx = debianIndex('bookworm');

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

test('names the index does not know are unknown to the closure, whatever their text', () => {
  assert.ok(idx);
  assert.deepEqual(installClosure(idx, new Set(), ['', 'ĉurl'], true), { added: [], unknown: ['', 'ĉurl'] });
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
