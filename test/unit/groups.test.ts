// Repeated findings read as one: the groups the reports show, and the fix that fixes every place.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { fixesForAll, groupFindings, placesOf } from '../../server/src/analysis/groups';
import type { Finding } from '../../server/src/analysis/model';
import { applyEdits } from '../../server/src/analysis/rewrite/edits';
import { df } from './fixes';

const ADDS = df(
  'FROM debian:bookworm-slim',
  'ADD install-a /tmp/install-a',
  'RUN apt-get update && apt-get install -y curl',
  'ADD install-b /tmp/install-b',
  'ADD app.tar.gz /app/',
  'ADD install-c /tmp/install-c',
  'RUN apt-get update && apt-get install -y git',
);

const groupOf = (text: string, rule: string) => {
  const g = groupFindings(analyze(text).findings).find((x) => x.first.rule === rule);
  assert.ok(g, `no finding of ${rule}`);
  return g;
};

test('the same finding at several places is one group with its places in line order', () => {
  const g = groupOf(ADDS, 'add-where-copy-fits');
  assert.deepEqual(placesOf(g), [
    { line: 2, endLine: 2 },
    { line: 4, endLine: 4 },
    { line: 6, endLine: 6 },
  ]);
  // the analysis keeps one finding per place (one diagnostic each in the editor)
  assert.equal(analyze(ADDS).findings.filter((f) => f.rule === 'add-where-copy-fits').length, 3);
  // each group is listed once, at its first place
  const rules = groupFindings(analyze(ADDS).findings).map((x) => x.first.rule);
  assert.equal(new Set(rules).size, rules.length);
});

test('findings of one rule with different messages stay apart', () => {
  const f = (line: number, message: string): Finding => ({
    rule: 'r',
    severity: 'warning',
    line,
    endLine: line,
    message,
    fixes: [],
  });
  const groups = groupFindings([f(1, 'a'), f(2, 'b'), f(3, 'a'), { ...f(4, 'a'), severity: 'info' }]);
  assert.deepEqual(
    groups.map((g) => g.members.map((m) => m.line)),
    [[1, 3], [2], [4]],
  );
});

test('the fix for all places does what applying each place fix in turn does', () => {
  for (const rule of ['add-where-copy-fits', 'apt-no-install-recommends']) {
    const g = groupOf(ADDS, rule);
    const [all] = fixesForAll(g);
    assert.ok(all, rule);
    assert.equal(all.title, `Fix all ${g.members.length}: ${g.first.fixes[0].title}`);
    // one place at a time, re-analysing after each, as a user clicking each quick fix would
    let text = ADDS;
    for (let round = 0; round < 5; round++) {
      const next = analyze(text).findings.find((f) => f.rule === rule);
      if (!next) break;
      text = applyEdits(text, next.fixes[0].edits);
    }
    assert.equal(applyEdits(ADDS, all.edits), text, rule);
    assert.equal(analyze(text).findings.filter((f) => f.rule === rule).length, 0, rule);
  }
  // the archive's ADD (it unpacks) is left as it is
  assert.match(applyEdits(ADDS, fixesForAll(groupOf(ADDS, 'add-where-copy-fits'))[0].edits), /^ADD app\.tar\.gz/m);
});

test('no fix for all when a place lacks that fix, or when the edits would overlap', () => {
  const edit = { startLine: 1, startColumn: 1, endLine: 1, endColumn: 4, newText: 'X' };
  const f = (line: number, fixes: Finding['fixes']): Finding => ({
    rule: 'r',
    severity: 'warning',
    line,
    endLine: line,
    message: 'm',
    fixes,
  });
  const one = (title: string, e = edit) => [{ title, edits: [e] }];
  assert.deepEqual(fixesForAll(groupFindings([f(1, one('a')), f(2, one('b'))])[0]), []);
  assert.deepEqual(fixesForAll(groupFindings([f(1, one('a')), f(1, one('a'))])[0]), []);
  assert.deepEqual(fixesForAll(groupFindings([f(1, one('a'))])[0]), []);
  const second = { ...edit, startLine: 2, endLine: 2 };
  assert.equal(fixesForAll(groupFindings([f(1, one('a')), f(2, one('a', second))])[0]).length, 1);
});
