// Reading an instruction's arguments (analysis/parse/words.ts): flags, the exec form, shell-like words, and ARG/ENV
// assignments expanded in order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, splitWords, takeFlags } from '../../../server/src/analysis/parse';
import { step } from './helpers';

test('flags are read with their values, in order; words follow them; exec form is decoded', () => {
  const m = parseDockerfile(
    'FROM --platform=$BUILDPLATFORM golang AS b\nCOPY --chown=1:1 --chmod=755 --link src/ /dst/\nRUN --mount=type=cache,target=/root/.cache --network=none ["go", "build"]\nCMD ["a", "b"]\nCMD [not json\n',
  );
  assert.equal(m.stages[0].platform, '');
  assert.equal(m.stages[0].fromRaw, 'golang');
  assert.deepEqual(step(m, 2).flags, [
    { name: 'chown', value: '1:1' },
    { name: 'chmod', value: '755' },
    { name: 'link', value: null },
  ]);
  assert.deepEqual(step(m, 2).sources, ['src/']);
  assert.deepEqual(
    step(m, 3).flags.map((f) => f.name),
    ['mount', 'network'],
  );
  assert.deepEqual([step(m, 3).words, step(m, 3).execForm], [['go', 'build'], true]);
  assert.deepEqual([step(m, 4).words, step(m, 4).execForm], [['a', 'b'], true]);
  assert.deepEqual([step(m, 5).words, step(m, 5).execForm], [['[not', 'json'], false]);
});

test('ARG values expand earlier ARGs of the same instruction in order', () => {
  const m = parseDockerfile('FROM alpine\nARG A=1 B=${A}2\nWORKDIR /$B\n');
  assert.equal(step(m, 3).workdir, '/12');
});

test('the escape character before $ keeps it literal; unknown variables expand to empty', () => {
  const m = parseDockerfile('FROM alpine\nWORKDIR /a/\\$HOME/$NOPE/b\n');
  assert.equal(step(m, 2).workdir, '/a/$HOME/b');
});

test('splitWords removes quotes and the escape character, keeps an escaped $ for expansion, splits on blanks', () => {
  assert.deepEqual(splitWords(`a "b c" 'd e'  f\\ g "h\\"i" \\$J`), ['a', 'b c', 'd e', 'f g', 'h"i', '\\$J']);
  assert.deepEqual(splitWords('dir c:\\ "a b"', '`'), ['dir', 'c:\\', 'a b'], 'with escape=` a backslash is literal');
  assert.deepEqual(splitWords('  '), []);
});

test('takeFlags reads leading flags (names lowercased, quotes removed) and leaves the rest', () => {
  assert.deepEqual(takeFlags('--FROM=build --chown="a b" --link  src dst'), {
    flags: [
      { name: 'from', value: 'build' },
      { name: 'chown', value: 'a b' },
      { name: 'link', value: null },
    ],
    rest: 'src dst',
  });
  assert.deepEqual(takeFlags('src --from=x dst'), { flags: [], rest: 'src --from=x dst' });
});
