import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';

const fixOf = (text: string) => analyze(text).findings.find((f) => f.rule === 'removed-in-later-layer');

test('the rm is cut out with its && and the comment lines before the next command; the next command keeps its place', () => {
  const text = [
    'FROM debian:12',
    'COPY --from=pkgs /out/a.deb /tmp/a.deb',
    'RUN --mount=type=tmpfs,target=/var/log \\',
    '    apt-get update && apt-get install -y /tmp/a.deb &&\\',
    '    rm /tmp/a.deb &&\\',
    '# check it',
    '    dpkg -s a',
    '',
  ].join('\n');
  const f = fixOf(text);
  assert.ok(f && f.fixes.length === 1, f?.message);
  assert.equal(
    applyEdits(text, f.fixes[0].edits),
    [
      'FROM debian:12',
      'RUN --mount=type=bind,from=pkgs,source=/out/a.deb,target=/tmp/a.deb,rw --mount=type=tmpfs,target=/var/log \\',
      '    apt-get update && apt-get install -y /tmp/a.deb &&\\',
      '    dpkg -s a',
      '',
    ].join('\n'),
  );
  assert.equal(f.fixes[0].preferred, true); // the file already uses RUN --mount
});

test('a ; separator is cut like &&; an rm joined by || is left alone, and the finding says why', () => {
  const semi = 'FROM debian:12\nCOPY x.tar /tmp/x.tar\nRUN tar -xf /tmp/x.tar -C /opt; rm /tmp/x.tar; ls /opt\n';
  const f = fixOf(semi);
  assert.ok(f);
  assert.match(applyEdits(semi, f.fixes[0].edits), /\nRUN --mount=\S+ tar -xf \/tmp\/x\.tar -C \/opt; ls \/opt\n$/);
  const or = fixOf('FROM debian:12\nCOPY x.tar /tmp/x.tar\nRUN tar -xf /tmp/x.tar -C /opt && rm /tmp/x.tar || true\n');
  assert.ok(or);
  assert.equal(or.fixes.length, 0);
  assert.match(or.message, /No fix offered: the rm cannot be cut out of the RUN text/);
});
