// What apk add adds to a RUN layer (server/src/analysis/estimate/run/apk.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepsAt } from '../helpers';

test('apk add: fallback table with dependencies, --virtual groups deleted in the same RUN cost nothing', () => {
  const at = stepsAt(
    [
      'FROM alpine:3.24',
      'RUN apk add --no-cache curl',
      'RUN apk add --no-cache --virtual .build-deps gcc musl-dev && make && apk del .build-deps',
      'RUN apk add --no-cache curl',
      'RUN apk add some-unknown-package',
    ].join('\n'),
  );
  const curl = at(2).size;
  assert.ok(curl);
  assert.match(curl.basis, /fallback table of Alpine 3\.24 installed sizes/);
  assert.ok(curl.bytes > 1e6, 'curl brings libcurl and its libraries');
  const build = at(3).size;
  assert.match(build?.basis ?? '', /deleted in the same RUN/);
  assert.match(build?.basis ?? '', /make/, 'make is not estimated and said so');
  assert.equal(at(4).size?.bytes, 0, 'already installed');
  assert.match(at(5).size?.basis ?? '', /not in it at .* MB each \(heuristic\)/);
  assert.match(at(5).size?.basis ?? '', /APKINDEX cache/);
});

test('apk: packages added and deleted by name in the same RUN cost nothing; adding them later counts again', () => {
  const at = stepsAt(
    [
      'FROM alpine:3.24',
      'RUN apk add --no-cache curl && curl --version && apk del curl',
      'RUN apk add --no-cache curl',
      'FROM alpine:3.24',
      'RUN apk add --no-cache --virtual .fetch curl && apk add --no-cache jq && apk del .fetch',
    ].join('\n'),
  );
  assert.equal(at(2).size?.bytes, 0);
  assert.match(at(2).size?.basis ?? '', /installed and deleted in the same RUN: not counted/);
  assert.ok((at(3).size?.bytes ?? 0) > 1e6);
  const jq = at(5).size;
  assert.match(jq?.basis ?? '', /1 not in it at 0\.78 MB each .*\(\d+ installed and deleted in the same RUN/);
  assert.ok(jq && jq.bytes < (at(3).size?.bytes ?? 0), 'jq stays, the fetch group goes');
});
