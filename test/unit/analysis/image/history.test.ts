// History -> Dockerfile line mapping from recorded Engine API answers (both builders) and from entries in the
// documented BuildKit heredoc format (this test machine's engine cannot build heredocs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../../../server/src/analysis/parse';
import { mapHistory, readCreatedBy, stripRunPrefixes } from '../../../../server/src/analysis/image/history';
import { fromApiHistory } from '../../../../server/src/engine/measure';

const root = path.resolve(__dirname, '../../../../..');
const fixtures = path.join(root, 'test', 'fixtures', 'engine');
const chainText = fs.readFileSync(path.join(fixtures, 'chain', 'Dockerfile'), 'utf8');

function linesOf(text: string, history: ReturnType<typeof fromApiHistory>, opts = {}): (number | string)[] {
  const model = parseDockerfile(text);
  const m = mapHistory(model, history, opts);
  assert.equal(m.mismatch, undefined, m.mismatch);
  return m.entries.map((e) => (e.origin === 'dockerfile' ? model.steps[e.stepIndex as number].line : e.origin));
}

for (const builder of ['legacy', 'buildkit']) {
  test(`recorded ${builder} history of a multi-stage build maps to the target's FROM chain`, () => {
    const api = JSON.parse(fs.readFileSync(path.join(fixtures, 'recorded', `history-chain-${builder}.json`), 'utf8'));
    const history = fromApiHistory(api);
    assert.equal(history[0].createdBy, '', 'oldest first: the imported base');
    // line 2 RUN + 3 ENV from stage "base", then 9 COPY + 10 RUN from "app"; stage "unrelated" is not in the image
    assert.deepEqual(linesOf(chainText, history, { baseHistoryLength: 1 }), ['base', 2, 3, 9, 10]);
    const model = parseDockerfile(chainText);
    const m = mapHistory(model, history);
    assert.equal(m.builder, builder);
    assert.deepEqual(m.chain, [0, 2]);
  });
}

test('a history that does not fit the Dockerfile is a mismatch, not a wrong mapping', () => {
  const api = JSON.parse(fs.readFileSync(path.join(fixtures, 'recorded', 'history-chain-buildkit.json'), 'utf8'));
  const history = fromApiHistory(api);
  const edited = chainText.replace('count=60', 'count=61');
  const m = mapHistory(parseDockerfile(edited), history);
  assert.match(m.mismatch ?? '', /line 10/);
  assert.ok(m.entries.every((e) => e.stepIndex === null));
  const tooShort = mapHistory(parseDockerfile('FROM busybox\nRUN a\nRUN b\nRUN c\nRUN d\nRUN e\nRUN f\n'), history);
  assert.match(tooShort.mismatch ?? '', /not built from this Dockerfile/);
  const wrongBase = mapHistory(parseDockerfile(chainText), history, { baseHistoryLength: 3 });
  assert.match(wrongBase.mismatch ?? '', /after its base image's 3/);
});

const entry = (createdBy: string, size = 0, comment = 'buildkit.dockerfile.v0') => ({
  Id: '<missing>',
  Created: 0,
  CreatedBy: createdBy,
  Size: size,
  Comment: comment,
  Tags: null,
});

test('BuildKit heredoc entries (simple, shebang, complex), ARG prefixes, COPY heredoc and WORKDIR map to their lines', () => {
  const text = [
    'FROM debian:bookworm-slim', // 1
    'ARG VERSION=1.2', // 2
    'RUN <<EOF', // 3
    'apt-get update',
    'apt-get install -y curl',
    'EOF',
    'RUN <<EOF', // 7
    '#!/usr/bin/env python3',
    'print("hi")',
    'EOF',
    'RUN python3 <<EOF', // 11
    'print("x")',
    'EOF',
    'WORKDIR /app', // 14
    'COPY <<EOF /app/config.txt', // 15
    'key=value',
    'EOF',
    'CMD ["sh"]', // 18
    '',
  ].join('\n');
  const api = [
    entry('CMD ["sh"]'),
    entry('COPY <<EOF /app/config.txt # buildkit', 10),
    entry('WORKDIR /app', 0),
    entry('RUN |1 VERSION=1.2 /bin/sh -c python3 <<EOF\nprint("x")\nEOF # buildkit', 120),
    entry('RUN |1 VERSION=1.2 /dev/pipes/EOF # buildkit', 0),
    entry('RUN |1 VERSION=1.2 /bin/sh -c apt-get update\napt-get install -y curl\n # buildkit', 12_700_000),
    entry('ARG VERSION=1.2'),
    entry('/bin/sh -c #(nop)  CMD ["bash"]', 0, ''),
    entry(
      '/bin/sh -c #(nop) ADD file:6b3b9b8f0a1f36e2f1d5d6c2e1ad7c2d0e53f6e3c3d0b8ee1a52a1a4f24a53a4 in / ',
      74_800_000,
      '',
    ),
  ];
  assert.deepEqual(linesOf(text, fromApiHistory(api)), ['base', 'base', 2, 3, 7, 11, 14, 15, 18]);
});

test('legacy RUN entries with build args and a custom shell', () => {
  assert.equal(stripRunPrefixes('|2 A=1 B=two /bin/sh -c make all'), 'make all');
  assert.deepEqual(readCreatedBy('|1 COUNT=7 /bin/sh -c dd if=/dev/zero of=/x bs=1 count=$COUNT', ''), {
    keyword: 'RUN',
    text: 'dd if=/dev/zero of=/x bs=1 count=$COUNT',
    builder: 'legacy',
  });
  assert.equal(readCreatedBy('/bin/sh -c #(nop)  ENV A=1').keyword, 'ENV');
  assert.equal(readCreatedBy('/bin/sh -c #(nop) WORKDIR /srv').keyword, 'WORKDIR');
  assert.equal(readCreatedBy('RUN |1 COUNT=7 /bin/sh -c make # buildkit', 'buildkit.dockerfile.v0').text, 'make');
  const text = 'FROM busybox\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl x | tar -x\n';
  const api = [
    entry('/bin/bash -o pipefail -c curl x | tar -x', 5, ''),
    entry('/bin/sh -c #(nop)  SHELL [/bin/bash -o pipefail -c]', 0, ''),
    entry('', 1_000, 'Imported from -'),
  ];
  assert.deepEqual(linesOf(text, fromApiHistory(api)), ['base', 2, 3]);
});
