// Which commands of a RUN run (server/src/analysis/estimate/run/flow.ts): if/elif/else, case and `test && cmd`
// decided from ARG defaults, --build-arg values and the platform; undecided ones become choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisOptions } from '../../../../server/src/analysis/model';
import { parseDockerfile } from '../../../../server/src/analysis/parse';
import { flowOf, MANUAL_MARK, MAX_CHOICES, type Flow } from '../../../../server/src/analysis/estimate/run/flow';

/** The flow of the last RUN of `lines` (after a FROM), for the stage's platform. */
function flow(lines: string[], options: AnalysisOptions = {}, from = 'FROM debian:bookworm-slim'): Flow {
  const m = parseDockerfile([from, ...lines].join('\n'), options);
  const run = m.steps.filter((s) => s.keyword === 'RUN').pop();
  assert.ok(run);
  return flowOf(run, m.stages[run.stage].platform);
}

/** The commands that run unconditionally (tests left out), as text. */
const ran = (f: Flow): string[] =>
  f.commands
    .filter((c, i) => !f.guards?.[i].length && c.program !== '[' && c.program !== 'test')
    .map((c) => c.words.join(' '));

test('an if on a build arg with no value: the branch does not run; with --build-arg it does', () => {
  const lines = ['ARG GPU', 'RUN if [ -n "$GPU" ]; then apt-get install -y cuda; else echo cpu; fi && echo done'];
  const off = flow(lines);
  assert.deepEqual(ran(off), ['echo cpu', 'echo done']);
  assert.deepEqual(off.choices, []);
  assert.deepEqual(off.decided, ['`if [ -n "$GPU" ]` → else']);
  assert.deepEqual(ran(flow(lines, { buildArgs: { GPU: '1' } })), ['apt-get install -y cuda', 'echo done']);
});

test('elif chains, test and !, defaults, ENV values, and `test && cmd` / `test || cmd`', () => {
  const f = flow([
    'ARG FLAVOR=slim',
    'ENV WITH_DOCS=no',
    [
      'RUN if test "$FLAVOR" = full; then apt-get install -y a;',
      'elif [ "$FLAVOR" = "slim" ]; then apt-get install -y b;',
      'else apt-get install -y c; fi;',
      'if ! [ "$WITH_DOCS" = yes ]; then echo nodocs; fi;',
      '[ "$WITH_DOCS" = yes ] && apt-get install -y docs;',
      '[ -z "$FLAVOR" ] || apt-get install -y d e && echo both',
    ].join(' '),
  ]);
  assert.deepEqual(ran(f), ['apt-get install -y b', 'echo nodocs', 'apt-get install -y d e', 'echo both']);
  assert.deepEqual(f.choices, []);
});

test('case on the architecture: dpkg --print-architecture, uname -m, apk --print-arch, TARGETARCH', () => {
  const lines = [
    'ARG TARGETARCH',
    [
      'RUN set -eux; arch="$(dpkg --print-architecture)"; case "$arch" in',
      "amd64) url=x64 ;; 'arm64' | armhf) url=arm ;; *) echo unsupported; exit 1 ;; esac;",
      'case "$(uname -m)" in x86_64) echo intel ;; aarch64) echo arm ;; esac;',
      'case $TARGETARCH in amd64) echo t-amd ;; *) echo t-other ;; esac;',
      'wget "https://example.org/$url.tgz"',
    ].join(' '),
  ];
  const amd = flow(lines);
  assert.deepEqual(ran(amd), ['set -eux', 'echo intel', 'echo t-amd', 'wget https://example.org/x64.tgz']);
  assert.equal(amd.decided.length, 3);
  const arm = flow(lines, {}, 'FROM --platform=linux/arm64 debian:bookworm-slim');
  assert.deepEqual(ran(arm), ['set -eux', 'echo arm', 'echo t-other', 'wget https://example.org/arm.tgz']);
  // the official images spell it with a trim: arch="${arch##*-}"
  const trimmed = flow([
    'RUN arch="$(dpkg --print-architecture)"; arch="${arch##*-}"; case "$arch" in amd64) echo a ;; esac',
  ]);
  assert.deepEqual(ran(trimmed), ['echo a']);
});

test('a condition that cannot be decided becomes a choice among its branches (with `none` when none may run)', () => {
  const f = flow([
    [
      'RUN if [ -f /etc/debian_version ]; then apt-get install -y a; elif [ "$UNDECLARED" = x ]; then apt-get install -y b; fi;',
      'case "$(cat /etc/arch)" in x) apt-get install -y c ;; *) apt-get install -y d ;; esac;',
      'command -v curl || apt-get install -y curl;',
      '[ -d /opt ] && { apt-get install -y e; apt-get install -y f; }',
    ].join(' '),
  ]);
  assert.deepEqual(
    f.choices.map((c) => [c.what, c.alts]),
    [
      ['if [ -f /etc/debian_version ]', ['then', 'elif #1', 'none']],
      ['case "$(cat /etc/arch)"', ['x)', '*)']],
      ['[ -d /opt ]', ['true', 'false']],
    ],
  );
  const guarded = (name: string) => f.guards?.[f.commands.findIndex((c) => c.words.includes(name))];
  assert.deepEqual(guarded('a'), [{ choice: 0, alt: 0 }]);
  assert.deepEqual(guarded('b'), [{ choice: 0, alt: 1 }]);
  assert.deepEqual(guarded('d'), [{ choice: 1, alt: 1 }]);
  assert.deepEqual(guarded('f'), [{ choice: 2, alt: 0 }], 'a group runs as one command of the list');
  // a command that is not a test is taken to succeed: `cmd || fallback` does not run the fallback
  assert.ok(!f.commands.some((c) => c.words.join(' ') === 'apt-get install -y curl'));
});

test('variables are expanded in the words (unquoted ones split), the apt-mark list is kept as a mark', () => {
  const f = flow([
    'ARG BUILD_PACKAGES="gcc \\\n  make"',
    'RUN saved="$(apt-mark showmanual)"; apt-get install -y $BUILD_PACKAGES "$BUILD_PACKAGES" $GNUPGHOME; apt-mark manual $saved',
  ]);
  const words = f.commands.map((c) => c.words.join('|'));
  assert.equal(words[0], `apt-mark|showmanual|${MANUAL_MARK}0`);
  assert.equal(words[1], 'apt-get|install|-y|gcc|make|gcc   make|$GNUPGHOME');
  assert.equal(words[2], `apt-mark|manual|${MANUAL_MARK}0`);
});

test('text that does not read as a script counts every command, as if every branch ran', () => {
  for (const body of [
    'fi; apt-get install -y a',
    'if [ -n "$X" ]; then apt-get install -y a',
    'esac; apt-get install -y a',
    'echo a )',
  ]) {
    const f = flow(['ARG X', `RUN ${body}`]);
    assert.deepEqual(f.choices, []);
    assert.ok(ran(f).length > 0, body);
  }
  assert.deepEqual(ran(flow(['ARG X', 'RUN if [ -n "$X" ]; then apt-get install -y a'])), ['apt-get install -y a']);
});

test('past MAX_CHOICES undecided constructs, every branch of the rest runs (and is counted so)', () => {
  const n = MAX_CHOICES + 8;
  const f = flow([
    `RUN ${Array.from({ length: n }, (_, i) => `if [ -f /x${i} ]; then echo a${i}; else echo b${i}; fi`).join('; ')}`,
  ]);
  assert.equal(f.choices.length, MAX_CHOICES);
  assert.equal(f.unbounded, 8);
  assert.deepEqual(ran(f), Array.from({ length: 8 }, (_, k) => [`echo a${n - 8 + k}`, `echo b${n - 8 + k}`]).flat());
});
