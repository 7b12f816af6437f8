// What apk add adds to a RUN layer (server/src/analysis/estimate/run/apk.ts, run/apkDebian.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import table from '../../../../server/src/analysis/estimate/data/apk-packages.json';
import { lookupBaseImageRow } from '../../../../server/src/analysis/estimate/baseImages';
import { apkEstimate } from '../../../../server/src/analysis/estimate/run/apk';
import { newStageState } from '../../../../server/src/analysis/estimate/stage';
import { stepsAt } from '../helpers';

const MB = 1e6;

test('apk add build-base: the compilers and their dependencies from the Alpine index, not a meta package of 0 B', () => {
  const at = stepsAt(['FROM alpine:3.24', 'RUN apk add --no-cache build-base'].join('\n'));
  const size = at(2).size;
  assert.ok(size);
  // gcc alone is 167 MB installed in Alpine 3.24; g++ 47 MB, binutils 10 MB, musl-dev 10 MB
  assert.ok(size.bytes > 230 * MB && size.bytes < 320 * MB, `build-base ${size.bytes}`);
  assert.match(size.basis, /Alpine 3\.24 packages/);
  assert.match(size.basis, /make/, 'make is sized from its Debian equivalent and named');
});

test('apk add: dependencies the base already has are not counted again, nor what an earlier RUN added', () => {
  const at = stepsAt(
    ['FROM alpine:3.24', 'RUN apk add --no-cache gcc', 'RUN apk add --no-cache g++', 'RUN apk add --no-cache gcc'].join(
      '\n',
    ),
  );
  const gcc = at(2).size?.bytes ?? 0;
  const gxx = at(3).size?.bytes ?? 0;
  assert.ok(gcc > 170 * MB, 'gcc with binutils, gmp, mpfr, isl ...');
  assert.ok(gxx > 40 * MB && gxx < gcc, 'g++ over an image that has gcc: g++ and libstdc++-dev only');
  assert.equal(at(4).size?.bytes, 0, 'already installed');
});

test('apk add --virtual .build-deps ... && apk del .build-deps: what is deleted in the same RUN costs nothing', () => {
  const at = stepsAt(
    [
      'FROM alpine:3.24',
      'RUN apk add --no-cache --virtual .build-deps build-base && make && apk del .build-deps',
      'RUN apk add --no-cache curl && curl --version && apk del curl',
      'RUN apk add --no-cache --virtual .fetch curl && apk add --no-cache bash && apk del .fetch',
    ].join('\n'),
  );
  assert.equal(at(2).size?.bytes, 0);
  assert.match(at(2).size?.basis ?? '', /installed and deleted in the same RUN: not counted/);
  assert.equal(at(3).size?.bytes, 0);
  const bash = at(4).size?.bytes ?? 0;
  assert.ok(bash > 1 * MB && bash < 3 * MB, `bash and readline stay, curl goes: ${bash}`);
});

test('apk add of a package the Alpine table lacks: its Debian equivalent times the measured factor, said so', () => {
  const at = stepsAt(['FROM alpine:3.24', 'RUN apk add --no-cache jq', 'RUN apk add --no-cache jq'].join('\n'));
  const jq = at(2).size;
  assert.ok(jq && jq.bytes > 0);
  assert.match(
    jq.basis,
    new RegExp(`jq\\) sized from Debian trixie equivalents with their dependencies x ${table.debian.factor}`),
  );
  assert.notEqual(jq.lowerBound, true);
  assert.equal(at(3).size?.bytes, 0, 'the stand-in counts once');
});

test('apk add of a name nobody knows: left out, named, and the estimate is a lower bound', () => {
  const at = stepsAt(['FROM alpine:3.24', 'RUN apk add --no-cache curl no-such-package-xyz'].join('\n'));
  const size = at(2).size;
  assert.ok(size && size.bytes > 0, 'curl still counts');
  assert.match(size.basis, /not known, not counted: no-such-package-xyz \(at least this much\)/);
  const state = newStageState(lookupBaseImageRow('alpine:3.24'), 'alpine:3.24');
  const add = { packages: ['curl', 'no-such-package-xyz'], noCache: true, virtual: null, unreadable: [] };
  assert.equal(apkEstimate(state, [{ kind: 'add', add }], false).lowerBound, true);
  const known = newStageState(lookupBaseImageRow('alpine:3.24'), 'alpine:3.24');
  const curl = { ...add, packages: ['curl'] };
  assert.equal(apkEstimate(known, [{ kind: 'add', add: curl }], false).lowerBound, undefined);
});

test('apk add without --no-cache keeps the APKINDEX cache unless the RUN removes it', () => {
  const at = stepsAt(
    ['FROM alpine:3.24', 'RUN apk add bash', 'FROM alpine:3.24', 'RUN apk add bash && rm -rf /var/cache/apk/*'].join(
      '\n',
    ),
  );
  assert.match(at(2).size?.basis ?? '', /APKINDEX cache/);
  assert.equal((at(2).size?.bytes ?? 0) - (at(4).size?.bytes ?? 0), 2_500_000);
});

test('the Alpine table: every dependency of a package either is in the table, or is a plain name for the Debian stand-in', () => {
  const packages = table.packages as Record<string, { bytes: number; deps?: string[] }>;
  for (const [name, row] of Object.entries(packages)) {
    assert.ok(Number.isInteger(row.bytes) && row.bytes >= 0, name);
    for (const d of row.deps ?? []) assert.doesNotMatch(d, /^(so|pc|cmd):|[<>=]/, `${name} -> ${d}`);
  }
  assert.ok(table.debian.factor > 0.3 && table.debian.factor < 1.2, 'Alpine builds are smaller than Debian ones');
});
