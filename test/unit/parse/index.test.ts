// The whole model (analysis/parse/index.ts) over any input: empty files, random bytes and fragments (never a throw,
// always sane ranges), and a 1 MB file read completely.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { analyze } from '../../../server/src/analysis/analyze';
import { prng } from '../../hostile/cases';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

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

test('a file that holds only a path (a git symlink checked out as text) says so instead of "DOCKER before the first FROM"', () => {
  for (const target of ['docker/Dockerfile.debian', '../Dockerfile\n', './build/prod.Dockerfile']) {
    const m = parseDockerfile(target);
    assert.equal(m.problems.length, 1, target);
    assert.match(m.problems[0], /holds only the path .*: a symbolic link checked out as a plain file/);
  }
  // an instruction, or a word without a folder, is not a path
  for (const text of ['FROM alpine/git', 'RUN', 'Dockerfile', 'docker/Dockerfile.debian extra']) {
    assert.ok(!parseDockerfile(text).problems.some((p) => p.includes('holds only the path')), text);
  }
});
