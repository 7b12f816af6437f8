// BuildKit trace decoding (a recorded build stream of this engine) and both builders' step records, as the engine
// keeps them (the builder's names) and as the analysis places them on lines (analysis/image/buildSteps.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../../server/src/analysis/parse';
import { placeBuildkitVertex, placeBuildRecords } from '../../../server/src/analysis/image/buildSteps';
import { BuildkitTracker, LegacyTracker } from '../../../server/src/engine/progress';
import { decodeStatusResponse, decodeTraceAux, parseVertexName } from '../../../server/src/engine/buildkitTrace';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'test', 'fixtures', 'engine');

test('a recorded moby.buildkit.trace stream decodes into vertices that map to Dockerfile lines', () => {
  const lines = fs
    .readFileSync(path.join(fixtures, 'recorded', 'buildkit-trace-chain.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const model = parseDockerfile(fs.readFileSync(path.join(fixtures, 'chain', 'Dockerfile'), 'utf8'));
  const tracker = new BuildkitTracker();
  let names = 0;
  for (const l of lines) {
    const msg = JSON.parse(l) as { id: string; aux: string };
    assert.equal(msg.id, 'moby.buildkit.trace');
    const status = decodeTraceAux(msg.aux);
    assert.ok(status, 'decodes');
    names += status.vertexes.filter((v) => v.name).length;
    tracker.vertices(status.vertexes, status.logs);
  }
  assert.ok(names > 0);
  const recs = placeBuildRecords(model, 'buildkit', tracker.records(Date.now()));
  const byLine = new Map(recs.filter((r) => r.line !== null).map((r) => [r.line, r]));
  // the target chain's steps (2, 9, 10) and FROM lines were built; ENV has no vertex
  for (const line of [2, 9, 10]) {
    const r = byLine.get(line);
    assert.ok(r, `line ${line} has a record (${recs.map((x) => x.name).join(' | ')})`);
    assert.equal(r.cached, false);
    assert.ok((r.durationMs ?? -1) >= 0);
  }
  assert.ok(!byLine.has(3), 'ENV gets no vertex');
  const runApp = byLine.get(10);
  assert.ok(runApp && (runApp.durationMs ?? 0) > 100, 'a RUN takes measurable time');
});

test('protobuf reader: hand-encoded StatusResponse with a cached vertex and a log', () => {
  const str = (no: number, s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
  };
  const msg = (no: number, body: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, body.length]), body]);
  const varint = (n: number): Buffer => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    return Buffer.from(out);
  };
  const ts = Buffer.concat([Buffer.from([0x08]), varint(1_707_000_000), Buffer.from([0x10]), varint(5_000_000)]);
  const vertex = Buffer.concat([
    str(1, 'sha256:abc'),
    str(3, '[2/3] RUN make'),
    Buffer.from([0x20, 0x01]),
    msg(5, ts),
    Buffer.from([0x45, 1, 2, 3, 4]),
  ]);
  const log = Buffer.concat([str(1, 'sha256:abc'), Buffer.from([0x18, 0x01]), str(4, 'hello\n')]);
  const decoded = decodeStatusResponse(Buffer.concat([msg(1, vertex), msg(3, log)]));
  assert.equal(decoded.vertexes.length, 1);
  assert.deepEqual(
    { ...decoded.vertexes[0] },
    { digest: 'sha256:abc', inputs: [], name: '[2/3] RUN make', cached: true, started: 1_707_000_000_005 },
  );
  assert.deepEqual(decoded.logs, [{ vertex: 'sha256:abc', stream: 1, msg: 'hello\n' }]);
  assert.equal(decodeTraceAux('not base64 protobuf!!'), null);
});

test('vertex names: stage names, numbering, ONBUILD triggers', () => {
  assert.deepEqual(parseVertexName('[build 2/4] RUN make'), { stage: 'build', index: 2, total: 4, text: 'RUN make' });
  assert.deepEqual(parseVertexName('[linux/amd64 stage-1 1/2] FROM docker.io/library/busybox'), {
    stage: 'stage-1',
    index: 1,
    total: 2,
    text: 'FROM docker.io/library/busybox',
  });
  assert.equal(parseVertexName('[internal] load build context'), null);
  const model = parseDockerfile(
    'FROM busybox AS build\nENV A=1\nWORKDIR /w\nRUN make\nFROM scratch\nCOPY --from=build /w /w\n',
  );
  assert.equal(placeBuildkitVertex(model, '[build 3/3] RUN make')?.line, 4);
  assert.equal(placeBuildkitVertex(model, '[build 2/3] WORKDIR /w')?.line, 3);
  assert.equal(placeBuildkitVertex(model, '[stage-1 1/1] COPY --from=build /w /w')?.line, 6);
  const child = parseDockerfile('FROM base-with-onbuild\nRUN own\n');
  // BuildKit 0.8 numbers two triggers 2 and 3 of "total 2"; the child's own RUN is 4
  assert.equal(placeBuildkitVertex(child, '[2/2] COPY payload.txt /p', 2), null);
  assert.equal(placeBuildkitVertex(child, '[4/2] RUN own', 2)?.line, 2);
});

test('legacy stream: Step lines, cache hits and durations', () => {
  const model = parseDockerfile('ARG V=1\nFROM busybox\nCOPY a /a\nRUN make\n');
  const t = new LegacyTracker();
  t.line('Step 1/4 : ARG V=1', 0);
  t.line('Step 2/4 : FROM busybox', 10);
  t.line(' ---> 1234abcd', 11);
  t.line('Step 3/4 : COPY a /a', 20);
  t.line(' ---> Using cache', 21);
  const p = t.line('Step 4/4 : RUN make', 30);
  assert.deepEqual([p.step, p.total], [4, 4]);
  t.line(' ---> Running in 5678', 31);
  const recs = placeBuildRecords(model, 'legacy', t.records(100));
  assert.deepEqual(
    recs.map((r) => [r.line, r.cached, r.durationMs]),
    [
      [1, false, 10],
      [2, false, 10],
      [3, true, 10],
      [4, false, 70],
    ],
  );
});
