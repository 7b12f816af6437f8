import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCommands, operands, shellTokens, splitCommands } from '../../server/src/analysis/shell';

test('splits a typical apt RUN into its simple commands', () => {
  const cmds = splitCommands(
    'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl "git" \\\n && rm -rf /var/lib/apt/lists/*',
  );
  assert.deepEqual(
    cmds.map((c) => c.words[0]),
    ['apt-get', 'apt-get', 'rm'],
  );
  const install = findCommands(cmds, ['apt-get'], ['install']);
  assert.equal(install.length, 1);
  assert.deepEqual(operands(install[0]), ['curl', 'git']);
});

test('pipes, semicolons, subshells and comments separate commands', () => {
  const cmds = splitCommands('set -eux; (cd /src && make) | tee log # build it\nsudo npm ci');
  assert.deepEqual(
    cmds.map((c) => c.words.join(' ')),
    ['set -eux', 'cd /src', 'make', 'tee log', 'npm ci'],
  );
});

test('unterminated quotes still yield commands', () => {
  assert.deepEqual(
    splitCommands('echo "abc && def').map((c) => c.words),
    [['echo', 'abc && def']],
  );
});

test('a redirection with & (2>&1, &>file) stays in its command, not a separator', () => {
  assert.deepEqual(
    splitCommands('make > log 2>&1 && ls &>/dev/null & wait').map((c) => c.words),
    [['make', '>', 'log', '2>&1'], ['ls', '&>/dev/null'], ['wait']],
  );
});

test('script mode keeps command substitutions and descriptor redirections inside their words', () => {
  const text = 'case $(uname -m) in x86_64) echo >&2 "64" 2>&1 ;; esac';
  const words = (script: boolean) => shellTokens(text, script).map((t) => (t.op === null ? t.word : `<${t.op}>`));
  assert.deepEqual(words(true), [
    'case',
    '$(uname -m)',
    'in',
    'x86_64',
    '<)>',
    'echo',
    '>&2',
    '64',
    '2>&1',
    '<;;>',
    'esac',
  ]);
  // the plain reading (rules) splits command substitutions, as it always did
  assert.ok(words(false).includes('<(>'));
  assert.deepEqual(
    shellTokens('A="$(apt-mark showmanual)" "b c"', true).map((t) => (t.op === null ? [t.word, t.quoted] : t.op)),
    [
      ['A=$(apt-mark showmanual)', true],
      ['b c', true],
    ],
  );
});
