// The Debian package tables (server/src/analysis/estimate/debianTable.ts): loading, lookups, damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debianIndex, loadDebianIndex } from '../../../server/src/analysis/estimate/debianTable';
import { repoRoot } from './helpers';

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
