// The scanner (analysis/parse/scanner.ts): the instructions and their line ranges as BuildKit would read them
// (heredocs, the escape directive, continuation lines, line endings), the parser directives and the ignore pragmas.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { scanInstructions, splitLines } from '../../../server/src/analysis/parse/scanner';
import { shape, step } from './helpers';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

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
// escape, continuations, line endings

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

test('a leading byte-order mark does not hide the first instruction', () => {
  const m = parseDockerfile('\uFEFFFROM alpine\nRUN echo\n');
  assert.deepEqual(
    m.steps.map((s) => s.keyword),
    ['FROM', 'RUN'],
  );
  assert.equal(m.stages[0].from, 'alpine');
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
// agreement with dockerfile-ast

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

// ---------------------------------------------------------------------------------------------------------
// scanning from a given line (what an edit re-reads)

test('a scan started at an instruction, or between two, finds what the whole scan finds from there', () => {
  const text = ['# escape=\\', 'FROM alpine', 'RUN a \\', '  b', 'RUN <<EOF', 'body', 'EOF', '# c', 'COPY x /y'];
  const { lines } = splitLines(text.join('\r\n'));
  const all = scanInstructions(lines, '\\');
  assert.deepEqual(
    all.map((i) => [i.keyword, i.start, i.end]),
    [
      ['FROM', 1, 1],
      ['RUN', 2, 3],
      ['RUN', 4, 6],
      ['COPY', 8, 8],
    ],
  );
  for (const [k, ins] of all.entries()) assert.deepEqual(scanInstructions(lines, '\\', ins.start), all.slice(k));
  assert.deepEqual(scanInstructions(lines, '\\', 7), all.slice(3));
});
