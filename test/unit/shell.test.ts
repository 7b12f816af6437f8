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

/** The program of each simple command the text runs. */
const programs = (text: string) => splitCommands(text).map((c) => c.program);

test('keywords are not programs: the commands of if, for, while and until are', () => {
  assert.deepEqual(
    programs('if id -un 1 >/dev/null 2>&1; then userdel --remove x; elif true; then cp a b; else :; fi'),
    ['id', 'userdel', 'true', 'cp', ':'],
  );
  assert.deepEqual(programs('for op in a b c; do vips -l "$op"; done; while read l; do echo "$l"; done < f'), [
    'vips',
    'read',
    'echo',
  ]);
  assert.deepEqual(programs('until ! curl -f x; do sleep 1; done'), ['curl', 'sleep']);
});

test("a case statement's patterns are not commands, its branches' commands are", () => {
  const text = [
    'arch="$(dpkg --print-architecture)"; case "$arch" in \\',
    "  'amd64') url=x ;; \\",
    '  armhf|armv7) dpkg-architecture -q X ;; \\',
    '  (ppc64el) apt-get install -y gcc ;; \\',
    '  *) echo >&2 "unsupported: $arch"; exit 1 ;; \\',
    'esac; wget -O go.tgz "$url"',
  ].join('\n');
  assert.deepEqual(programs(text), ['dpkg-architecture', 'apt-get', 'echo', 'exit', 'wget']);
  // on one line, with a subshell in a branch, and nested
  assert.deepEqual(programs('case x in a) (cd d && make) ;; b|c) ls;; esac; pwd'), ['cd', 'make', 'ls', 'pwd']);
  assert.deepEqual(programs('case x in\n a)\n  case y in b) touch f ;; esac\n ;;\nesac; ls'), ['touch', 'ls']);
  // a `case` on an unquoted command substitution: the substitution runs, the patterns still are none
  assert.deepEqual(programs('case $(uname -m) in aarch64|arm64) A=1;; *) B=2;; esac'), ['uname']);
});

test('assignments, prefix commands and their options, and leading redirections are not the program', () => {
  assert.deepEqual(
    splitCommands('X=1 Y="a b" make all').map((c) => c.words),
    [['make', 'all']],
  );
  assert.deepEqual(programs('X=1; Y=2'), []);
  assert.deepEqual(programs('sudo -u discourse vips --version; sudo -E -H pip install x; env -u HOME -i sh -c x'), [
    'vips',
    'pip',
    'sh',
  ]);
  assert.deepEqual(programs('nice -n 10 make; time -p make'), ['make', 'make']);
  // `command -v gs` asks where gs is: it runs nothing but `command`
  assert.deepEqual(programs('command -v gs >/dev/null || command apt-get update'), ['command', 'apt-get']);
  // a redirection may come first; it stays with the command, after its arguments
  assert.deepEqual(
    splitCommands('>>/etc/profile echo x; 2> err.log make all').map((c) => c.words),
    [
      ['echo', 'x', '>>/etc/profile'],
      ['make', 'all', '2>', 'err.log'],
    ],
  );
});

test('a command substitution runs its commands; the words after it belong to the command around it', () => {
  const cmds = splitCommands('test $(magick -version | grep -o png | wc -l) -eq 6 && make -j$((1 + $(nproc)))');
  assert.deepEqual(
    cmds.map((c) => c.program),
    ['magick', 'grep', 'wc', 'test', 'nproc', 'make'],
  );
  assert.deepEqual(cmds[3].words, ['test', '$(...)', '-eq', '6']);
});

test('a function definition names no program, and calling it runs the commands of its body', () => {
  assert.deepEqual(programs('_update_repo() { apt-get update; }; _update_repo; function f { ls; }; f'), [
    'apt-get',
    'ls',
  ]);
});
