// The Dockerfile model over tricky input: what BuildKit would read, and never a throw.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { analyze } from '../../server/src/analysis/analyze';
import type { DockerfileModel, Step } from '../../server/src/analysis/model';
import { prng } from '../hostile/cases';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

const step = (m: DockerfileModel, line: number): Step => {
  const s = m.steps.find((x) => x.line === line);
  assert.ok(s, `a step starts on line ${line}; steps start on ${m.steps.map((x) => x.line).join(', ')}`);
  return s;
};
const shape = (m: DockerfileModel) => m.steps.map((s) => [s.keyword, s.line, s.endLine]);

// ---------------------------------------------------------------------------------------------------------
// heredocs

test('several heredocs in one RUN belong to it, in order, and the next instruction follows them', () => {
  const m = parseDockerfile(
    [
      'FROM alpine',
      'RUN <<A cat > /a && <<B cat > /b',
      'first body',
      'A',
      'second body',
      'FROM not-an-instruction',
      'B',
      'RUN echo after',
    ].join('\n'),
  );
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 7],
    ['RUN', 8, 8],
  ]);
  const run = step(m, 2);
  assert.deepEqual(
    run.heredocs.map((h) => [h.name, h.body, h.line, h.endLine]),
    [
      ['A', 'first body', 3, 4],
      ['B', 'second body\nFROM not-an-instruction', 5, 7],
    ],
  );
  assert.equal(m.stages.length, 1, 'a FROM inside a heredoc body is not a stage');
  assert.match(run.command, /second body/);
  assert.match(run.command, /first body/);
});

test('<<-EOF strips leading tabs from the body and the terminator', () => {
  const m = parseDockerfile('FROM alpine\nRUN <<-EOF\n\techo one\n\t\techo two\n\tEOF\nRUN echo after\n');
  const run = step(m, 2);
  assert.equal(run.endLine, 5);
  assert.deepEqual(
    run.heredocs.map((h) => ({ stripTabs: h.stripTabs, body: h.body })),
    [{ stripTabs: true, body: 'echo one\necho two' }],
  );
  assert.equal(step(m, 6).keyword, 'RUN');
});

test('without the dash, an indented terminator does not end the heredoc', () => {
  const m = parseDockerfile('FROM alpine\nRUN <<EOF\necho one\n\tEOF\nEOF\nRUN echo after\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 5],
    ['RUN', 6, 6],
  ]);
  assert.equal(m.steps[1].heredocs[0].body, 'echo one\n\tEOF');
});

test('quoted delimiters mark the heredoc as quoted and still end on the bare word', () => {
  const m = parseDockerfile('FROM alpine\nRUN <<"EOF" bash\necho $HOME\nEOF\nRUN 2<<\'END\' cat\nx\nEND\n');
  assert.deepEqual(
    m.steps[1].heredocs.map((h) => [h.name, h.quoted, h.body]),
    [['EOF', true, 'echo $HOME']],
  );
  assert.deepEqual(
    m.steps[2].heredocs.map((h) => [h.name, h.quoted, h.endLine]),
    [['END', true, 7]],
  );
});

test('COPY <<EOF writes an inline file: no build-context source, destination kept', () => {
  const m = parseDockerfile('FROM alpine\nWORKDIR /etc\nCOPY <<EOF app.conf\nport=80\nEOF\nCOPY a.txt /a.txt\n');
  const copy = step(m, 3);
  assert.equal(copy.endLine, 5);
  assert.deepEqual(copy.sources, []);
  assert.equal(copy.destination, '/etc/app.conf');
  assert.equal(copy.heredocs[0].body, 'port=80');
  assert.deepEqual(step(m, 6).sources, ['a.txt']);
});

test('<<EOF inside quotes, a here-string and a shift are not heredocs', () => {
  const m = parseDockerfile('FROM alpine\nRUN echo "<<EOF" && cat <<< "x" && echo $((1<<2))\nRUN echo next\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 2],
    ['RUN', 3, 3],
  ]);
  assert.equal(m.steps[1].heredocs.length, 0);
});

test('an unterminated heredoc runs to the end of the file', () => {
  const m = parseDockerfile('FROM alpine\nRUN <<EOF\necho a\nRUN echo b\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 5],
  ]);
});

test('heredocs are only read for RUN, COPY and ADD', () => {
  const m = parseDockerfile('FROM alpine\nLABEL x="<<EOF"\nCMD cat <<EOF\nRUN echo hi\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['LABEL', 2, 2],
    ['CMD', 3, 3],
    ['RUN', 4, 4],
  ]);
});

// ---------------------------------------------------------------------------------------------------------
// escape directive, continuations, case, ONBUILD, line endings

test('escape=` makes the backtick the continuation character and backslashes literal', () => {
  const text = [
    '# escape=`',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
    'RUN dir c:\\ `',
    '    && echo done',
    'WORKDIR C:\\app',
    'COPY a.txt b.txt `',
    '     .\\',
    'RUN echo \\',
    'USER ContainerUser',
  ].join('\r\n');
  const m = parseDockerfile(text);
  assert.equal(m.directives.escape, '`');
  assert.deepEqual(shape(m), [
    ['FROM', 2, 2],
    ['RUN', 3, 4],
    ['WORKDIR', 5, 5],
    ['COPY', 6, 7],
    ['RUN', 8, 8],
    ['USER', 9, 9],
  ]);
  assert.equal(step(m, 3).args, 'dir c:\\     && echo done');
  assert.equal(step(m, 5).workdir, 'C:\\app', 'a Windows path is absolute, not joined to /');
  assert.deepEqual(step(m, 6).sources, ['a.txt', 'b.txt']);
  assert.equal(step(m, 6).destination, 'C:\\app\\.\\');
});

test('an escape directive after another line is a comment, not a directive', () => {
  const m = parseDockerfile('FROM alpine\n# escape=`\nRUN echo a \\\n  b\n');
  assert.equal(m.directives.escape, '\\');
  assert.equal(step(m, 3).endLine, 4);
});

test('parser directives: syntax and check are read; unknown keys end the directive block', () => {
  const m = parseDockerfile(
    '# syntax=docker/dockerfile:1.7\n# check=skip=JSONArgsRecommended\n# foo=bar\n# escape=`\nFROM alpine\n',
  );
  assert.equal(m.directives.syntax, 'docker/dockerfile:1.7');
  assert.equal(m.directives.check, 'skip=JSONArgsRecommended');
  assert.equal(m.directives.escape, '\\');
});

test('continuation lines skip comment and blank lines inside, as Docker does', () => {
  const m = parseDockerfile(
    [
      'FROM alpine',
      'RUN apk add \\',
      '# a comment between continuation lines',
      '',
      '    curl \\',
      '    # an indented comment \\',
      '   \t',
      '    git',
      'RUN echo next',
    ].join('\n'),
  );
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 8],
    ['RUN', 9, 9],
  ]);
  assert.deepEqual(step(m, 2).words, ['apk', 'add', 'curl', 'git']);
  assert.doesNotMatch(step(m, 2).command, /comment/);
});

test('trailing whitespace after the escape character still continues the line', () => {
  const m = parseDockerfile('FROM alpine\nRUN echo a \\   \n  b\nRUN c\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 3],
    ['RUN', 4, 4],
  ]);
});

test('a file that ends in a continuation ends the instruction there', () => {
  const m = parseDockerfile('FROM alpine\nRUN echo a \\\n# trailing comment\n\n');
  assert.deepEqual(shape(m), [
    ['FROM', 1, 1],
    ['RUN', 2, 2],
  ]);
});

test('lowercase and mixed-case instructions are instructions; stage names are case-insensitive', () => {
  const m = parseDockerfile(
    'from alpine as Builder\nrun echo hi\nFrom scratch\nCopy --FROM=BUILDER /out /out\nworkdir app\n',
  );
  assert.deepEqual(
    m.steps.map((s) => s.keyword),
    ['FROM', 'RUN', 'FROM', 'COPY', 'WORKDIR'],
  );
  assert.equal(m.stages[0].name, 'builder');
  assert.deepEqual(step(m, 4).copyFrom, { stage: 0, image: null, raw: 'BUILDER' });
  assert.deepEqual(m.stages[1].dependsOn, [0]);
  assert.equal(step(m, 5).workdir, '/app');
});

test('ONBUILD records its trigger and creates no layer now', () => {
  const m = parseDockerfile('FROM alpine\nONBUILD COPY . /app\nonbuild RUN make\nONBUILD\n');
  assert.deepEqual(
    m.steps.slice(1).map((s) => [s.keyword, s.onbuildKeyword, s.createsLayer]),
    [
      ['ONBUILD', 'COPY', false],
      ['ONBUILD', 'RUN', false],
      ['ONBUILD', '', false],
    ],
  );
});

test('CRLF line endings: same steps, no carriage returns in the words, eol recorded', () => {
  const lf = 'FROM alpine AS a\nRUN apk add \\\n  curl\nCOPY . /app\nWORKDIR /app\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  const a = parseDockerfile(lf);
  const b = parseDockerfile(crlf);
  assert.equal(b.eol, '\r\n');
  assert.equal(a.eol, '\n');
  assert.deepEqual(shape(b), shape(a));
  assert.deepEqual(
    b.steps.map((s) => s.words),
    a.steps.map((s) => s.words),
  );
  assert.ok(b.lines.every((l) => !l.includes('\r')));
  assert.equal(b.stages[0].name, 'a');
});

test('a file of comments only, an empty file and blank lines yield an empty model', () => {
  for (const text of ['', '\n\n   \n', '# just\n# comments\n', '# syntax=docker/dockerfile:1\n']) {
    const m = parseDockerfile(text);
    assert.equal(m.steps.length, 0, JSON.stringify(text));
    assert.equal(m.stages.length, 0);
    assert.equal(m.target, -1);
    const a = analyze(text);
    assert.deepEqual(a.findings, []);
    assert.equal(a.image, null);
  }
});

test('a leading byte-order mark does not hide the first instruction', () => {
  const m = parseDockerfile('\uFEFFFROM alpine\nRUN echo\n');
  assert.deepEqual(
    m.steps.map((s) => s.keyword),
    ['FROM', 'RUN'],
  );
  assert.equal(m.stages[0].from, 'alpine');
});

test('unknown words still make steps (Docker reports them) and instructions before FROM are problems', () => {
  const m = parseDockerfile('RUN echo early\nFROM alpine\nFOO bar\n');
  assert.deepEqual(
    m.steps.map((s) => [s.keyword, s.stage]),
    [
      ['RUN', -1],
      ['FROM', 0],
      ['FOO', 0],
    ],
  );
  assert.ok(m.problems.some((p) => p.includes('line 1')));
  assert.equal(m.steps[2].createsLayer, false);
});

// ---------------------------------------------------------------------------------------------------------
// variables

test('ARG in FROM: global defaults, ${V:-x}, --build-arg overrides, and ARG re-declared in a stage', () => {
  const text = [
    'ARG BASE=alpine',
    'ARG TAG',
    'ARG REGISTRY=docker.io/library',
    'FROM ${REGISTRY}/${BASE}:${TAG:-3.19} AS build',
    'ARG BASE',
    'ARG TAG',
    'ARG LOCAL=/opt/$BASE',
    'WORKDIR $LOCAL/src',
    'COPY ${BASE}.txt ./',
    'FROM $BASE',
    'WORKDIR /x/${TAG:-none}',
  ].join('\n');
  const m = parseDockerfile(text);
  assert.deepEqual(
    [...m.globalArgs],
    [
      ['BASE', 'alpine'],
      ['TAG', null],
      ['REGISTRY', 'docker.io/library'],
    ],
  );
  assert.equal(m.stages[0].from, 'docker.io/library/alpine:3.19');
  assert.equal(m.stages[0].fromRaw, '${REGISTRY}/${BASE}:${TAG:-3.19}');
  assert.equal(step(m, 8).workdir, '/opt/alpine/src');
  assert.deepEqual(step(m, 9).sources, ['alpine.txt']);
  assert.equal(m.stages[1].from, 'alpine');
  assert.equal(step(m, 11).workdir, '/x/none', 'a global ARG not re-declared in the stage is not visible there');

  const o = parseDockerfile(text, { buildArgs: { TAG: '3.20', BASE: 'debian', LOCAL: '/srv', UNDECLARED: 'x' } });
  assert.equal(o.stages[0].from, 'docker.io/library/debian:3.20');
  assert.equal(step(o, 8).workdir, '/srv/src');
  assert.equal(o.stages[1].from, 'debian');
});

test('ENV is inherited by FROM stage, ARG is not; ENV wins over ARG; ENV values use the values before it', () => {
  const m = parseDockerfile(
    [
      'FROM alpine AS base',
      'ARG DIR=/from-arg',
      'ENV ROOT=/srv',
      'ENV DIR=/from-env',
      'ENV ROOT=/opt OLD=$ROOT',
      'ENV LEGACY value with spaces',
      'WORKDIR $DIR',
      'FROM base',
      'ARG DIR',
      'WORKDIR $ROOT/$OLD',
      'COPY x $LEGACY',
    ].join('\n'),
  );
  assert.equal(step(m, 7).workdir, '/from-env');
  assert.equal(step(m, 8).workdir, '/from-env', 'FROM base starts in the WORKDIR of base');
  assert.equal(step(m, 10).workdir, '/opt/srv');
  assert.equal(step(m, 11).destination, '/opt/srv/value with spaces');
});

test('ARG values expand earlier ARGs of the same instruction in order', () => {
  const m = parseDockerfile('FROM alpine\nARG A=1 B=${A}2\nWORKDIR /$B\n');
  assert.equal(step(m, 3).workdir, '/12');
});

test('the escape character before $ keeps it literal; unknown variables expand to empty', () => {
  const m = parseDockerfile('FROM alpine\nWORKDIR /a/\\$HOME/$NOPE/b\n');
  assert.equal(step(m, 2).workdir, '/a/$HOME/b');
});

// ---------------------------------------------------------------------------------------------------------
// stages, targets, paths

const MULTI = [
  'FROM golang:1.22 AS build', //       stage 0
  'WORKDIR /src',
  'RUN go build -o /out/app',
  'FROM alpine AS certs', //            stage 1
  'RUN apk add ca-certificates',
  'FROM build AS test', //              stage 2 (FROM stage)
  'RUN go test ./...',
  'FROM scratch AS final', //           stage 3
  'COPY --from=build /out/app /app',
  'COPY --from=1 /etc/ssl/certs /etc/ssl/certs',
  'RUN --mount=type=bind,from=test,source=/src,target=/t true',
  'COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/',
  'COPY --from=later /x /x',
  'FROM final AS debug', //             stage 4
  'RUN echo debug',
].join('\n');

test('stage links: FROM stage, COPY --from=name, --from=index, RUN --mount=from=, and images', () => {
  const m = parseDockerfile(MULTI);
  assert.deepEqual(
    m.stages.map((s) => [s.name, s.baseStage, s.dependsOn]),
    [
      ['build', null, []],
      ['certs', null, []],
      ['test', 0, [0]],
      ['final', null, [0, 1, 2]],
      ['debug', 3, [3]],
    ],
  );
  assert.deepEqual(step(m, 9).copyFrom, { stage: 0, image: null, raw: 'build' });
  assert.deepEqual(step(m, 10).copyFrom, { stage: 1, image: null, raw: '1' });
  assert.deepEqual(step(m, 11).copyFrom, { stage: 2, image: null, raw: 'test' });
  assert.deepEqual(step(m, 12).copyFrom, { stage: null, image: 'nginx:latest', raw: 'nginx:latest' });
  assert.equal(step(m, 13).copyFrom?.stage, null, 'a stage defined later cannot be copied from');
  assert.equal(step(m, 7).workdir, '/src', 'FROM build inherits its WORKDIR');
  assert.deepEqual(m.stages[3].steps, [7, 8, 9, 10, 11, 12]);
});

test('target selection: the last stage by default, or --target; reachesFinal follows FROM chains only', () => {
  const m = parseDockerfile(MULTI);
  assert.equal(m.target, 4);
  assert.deepEqual(
    m.stages.map((s) => [s.final, s.reachesFinal]),
    [
      [false, false],
      [false, false],
      [false, false],
      [false, true],
      [true, true],
    ],
  );
  const t = parseDockerfile(MULTI, { target: 'TEST' });
  assert.equal(t.target, 2);
  assert.deepEqual(
    t.stages.map((s) => s.reachesFinal),
    [true, false, true, false, false],
  );
  const missing = parseDockerfile(MULTI, { target: 'nope' });
  assert.equal(missing.target, 4);
  assert.ok(missing.problems.some((p) => p.includes('"nope"')));
});

test('WORKDIR: relative paths join the current one, .. resolves, COPY destinations are made absolute', () => {
  const m = parseDockerfile(
    [
      'FROM alpine',
      'COPY a.txt .',
      'WORKDIR /srv',
      'WORKDIR app/',
      'WORKDIR ../lib',
      'COPY a b ./dir/',
      'COPY c /abs',
      'COPY ["d e.txt", "rel"]',
      'WORKDIR /',
    ].join('\n'),
  );
  assert.equal(step(m, 2).destination, '/');
  assert.deepEqual(
    m.steps.map((s) => s.workdir),
    ['/', '/', '/srv', '/srv/app', '/srv/lib', '/srv/lib', '/srv/lib', '/srv/lib', '/'],
  );
  assert.equal(step(m, 6).destination, '/srv/lib/dir/');
  assert.equal(step(m, 7).destination, '/abs');
  assert.deepEqual(
    [step(m, 8).sources, step(m, 8).destination, step(m, 8).execForm],
    [['d e.txt'], '/srv/lib/rel', true],
  );
  assert.deepEqual(
    m.steps.map((s) => s.createsLayer),
    [false, true, true, true, true, true, true, true, false],
  );
  assert.equal(parseDockerfile('FROM a\nWORKDIR /w\n', { buildkit: false }).steps[1].createsLayer, false);
});

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

// ---------------------------------------------------------------------------------------------------------
// ignore pragmas

test('ignore pragmas: hadolint and layer-insight, global, and comments inside an instruction do not count', () => {
  const m = parseDockerfile(
    [
      '# hadolint global ignore=DL3008',
      'FROM alpine',
      '# hadolint ignore=DL3009, DL3015',
      '# layer-insight ignore=copy-before-install',
      'RUN apt-get update \\',
      '# hadolint ignore=DL4006',
      '  && true',
      'RUN <<EOF',
      '# layer-insight ignore=inside-heredoc',
      'EOF',
      '#hadolint ignore=DL3000',
      '# hadolint ignore-this=no',
    ].join('\n'),
  );
  assert.deepEqual(m.ignores, [
    { line: 1, codes: ['DL3008'], global: true },
    { line: 3, codes: ['DL3009', 'DL3015'], global: false },
    { line: 4, codes: ['copy-before-install'], global: false },
    { line: 11, codes: ['DL3000'], global: false },
  ]);
});

// ---------------------------------------------------------------------------------------------------------
// agreement with dockerfile-ast, robustness, scale

test('instruction ranges agree with dockerfile-ast on the fixtures', () => {
  const files = fs.readdirSync(FIXTURES).filter((f) => /Dockerfile/i.test(f));
  assert.ok(files.length > 0, `fixtures in ${FIXTURES}`);
  for (const f of files) {
    const text = fs.readFileSync(path.join(FIXTURES, f), 'utf8');
    const ours = parseDockerfile(text).steps.map((s) => [s.keyword, s.line, s.endLine, s.column]);
    const theirs = DockerfileParser.parse(text)
      .getInstructions()
      .map((i) => [
        i.getKeyword().toUpperCase(),
        i.getRange().start.line + 1,
        i.getRange().end.line + 1,
        i.getInstructionRange().start.character + 1,
      ]);
    assert.deepEqual(ours, theirs, f);
  }
});

function checkSane(text: string, label: string): void {
  const a = analyze(text);
  const m = a.model;
  const lineCount = m.lines.length;
  for (const s of m.steps) {
    assert.ok(
      s.line >= 1 && s.line <= s.endLine && s.endLine <= lineCount,
      `${label}: step range ${s.line}-${s.endLine} of ${lineCount}`,
    );
    assert.ok(s.stage >= -1 && s.stage < m.stages.length, `${label}: stage ${s.stage}`);
    assert.ok(s.column >= 1, label);
    for (const h of s.heredocs)
      assert.ok(h.line >= s.line && h.line <= h.endLine && h.endLine <= s.endLine, `${label}: heredoc inside its step`);
  }
  for (let i = 1; i < m.steps.length; i++)
    assert.ok(m.steps[i].line > m.steps[i - 1].endLine, `${label}: steps do not overlap`);
  assert.ok(m.target < m.stages.length, label);
  for (const st of m.stages)
    for (const d of st.dependsOn) assert.ok(d >= 0 && d < st.index, `${label}: dependency on an earlier stage`);
  for (const f of a.findings) assert.ok(f.line >= 1 && f.endLine <= lineCount, label);
  assert.equal(a.steps.length, m.steps.length);
}

test('random bytes and random Dockerfile fragments never throw and give sane ranges (seeded)', () => {
  const rand = prng(20261124);
  const pieces = [
    'FROM ',
    'RUN ',
    'COPY ',
    'ADD ',
    'WORKDIR ',
    'ARG ',
    'ENV ',
    'ONBUILD ',
    'from ',
    ' AS ',
    '--from=',
    '--mount=from=',
    '<<EOF',
    '<<-EOF',
    'EOF',
    '\tEOF',
    '<<"X"',
    'X',
    '\\',
    '`',
    '# escape=`',
    '# hadolint ignore=DL3008',
    '#',
    '\n',
    '\r\n',
    '\n',
    '$',
    '${',
    '}',
    '${A:-',
    ':-',
    '"',
    "'",
    '[',
    ']',
    '["a",',
    '0',
    '1',
    '..',
    '/',
    'C:\\',
    ' ',
    '\t',
    '=',
    '\uFEFF',
    '\u0000',
    '\uD800',
    '😀',
  ];
  for (let iter = 0; iter < 1500; iter++) {
    let text = '';
    const len = Math.floor(rand() * 120);
    if (iter % 3 === 0) {
      for (let k = 0; k < len * 4; k++)
        text += String.fromCharCode(Math.floor(rand() * (rand() < 0.9 ? 128 : 0x10000)));
    } else {
      for (let k = 0; k < len; k++) text += pieces[Math.floor(rand() * pieces.length)];
    }
    checkSane(text, `iteration ${iter}`);
    parseDockerfile(text, { target: 'x', buildArgs: { A: '1' }, buildkit: false });
  }
});

// no timing assertion (speed is measured by `npm run bench`); the test timeout only catches a hang
test('a 1 MB Dockerfile is read completely', { timeout: 120_000 }, () => {
  const block = fs.readFileSync(path.join(FIXTURES, 'typical.Dockerfile'), 'utf8');
  let text = '';
  while (text.length < 1_000_000) text += block + '\n';
  const t0 = performance.now();
  const a = analyze(text);
  const ms = performance.now() - t0;
  const perCopy = parseDockerfile(block).steps.length;
  const copies = Math.ceil(1_000_000 / (block.length + 1));
  console.log(
    `1 MB file (${text.length} chars, ${a.model.lines.length} lines, ${a.steps.length} steps) analysed in ${ms.toFixed(0)} ms`,
  );
  assert.equal(a.steps.length, perCopy * copies);
  assert.equal(a.model.stages.length, 3 * copies);
});
