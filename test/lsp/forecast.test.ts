// The rebuild forecast through the language server over stdio, in an untrusted workspace (no engine, no build: the
// forecast only reads files). A build record lies in the storage folder the client names (as the extension passes its
// workspace storage); the record is written here with the same functions a build uses, from the files as they are,
// so the test needs no engine (test/engine/forecast.test.ts checks the forecast against real builds). Opening the
// Dockerfile gives a forecast with nothing to re-run; a saved source file (a watched-file event) re-runs its COPY and
// what follows, with the file named as the cause, in the annotations, the hover and the forecast request.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readBuildInputs, type StepInput } from '../../server/src/analysis/buildInputs';
import { makeRecord } from '../../server/src/analysis/buildRecord';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { contextDigests } from '../../server/src/facts/buildFacts';
import { saveRecord } from '../../server/src/facts/buildRecords';
import { readBuildContext } from '../../server/src/facts/context';
import { AnnotationsNotification, ForecastRequest } from '../../server/src/protocol';
import { LspClient } from './client';

const DOCKERFILE = [
  'FROM busybox:1.36',
  'WORKDIR /app',
  'COPY package.json ./',
  'RUN sleep 3',
  'COPY src ./src',
  'RUN sleep 2',
  'CMD ["sh"]',
  '',
].join('\n');

let root = '';
let dir = '';
let c: LspClient;

/** Records a build of the project as it is now: every step ran, RUNs taking 3 s and 2 s. */
async function recordBuild(storage: string): Promise<void> {
  const dockerfile = path.join(dir, 'Dockerfile');
  const model = parseDockerfile(DOCKERFILE);
  const context = await readBuildContext(dir, { dockerfile });
  const digests = await contextDigests(model, context, 'buildkit');
  const inputs = readBuildInputs(model, { builder: 'buildkit', context, digests, keepFiles: true });
  const steps: StepInput[] = inputs.stages.flatMap((s) => s.steps);
  const ms = (s: StepInput): number => (s.keyword === 'RUN' ? (s.line === 4 ? 3000 : 2000) : 100);
  const record = makeRecord({
    time: '2026-12-07T10:00:00.000Z',
    dockerfile,
    context: dir,
    buildArgs: {},
    image: { id: null, tag: 'layer-insight/app:latest' },
    durationMs: 6000,
    inputs,
    outcomes: steps.map((s) => ({ stepIndex: s.index, cached: false, durationMs: ms(s) })),
    bytes: new Map(),
    causes: new Map(),
    previous: null,
  });
  await saveRecord(path.join(storage, 'builds'), record);
}

before(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-forecast-lsp-')));
  dir = path.join(root, 'app');
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
  fs.writeFileSync(path.join(dir, 'src', 'app.js'), 'console.log(1);\n');
  const storage = path.join(root, 'storage');
  await recordBuild(storage);
  c = new LspClient();
  await c.initialize({ annotations: true, storageDir: storage, settings: { trusted: false } });
});

after(async () => {
  await c?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('untrusted: the forecast reads the record and the files; a saved source file re-runs its COPY and what follows', async () => {
  const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
  const first = c.notified(AnnotationsNotification, (p) => p.uri === uri && Boolean(p.forecast), 30_000);
  c.open(uri, DOCKERFILE);
  const clean = await first;
  assert.deepEqual(clean.forecast?.lines, [], 'nothing changed since the recorded build');
  assert.equal(clean.forecast?.since, '2026-12-07T10:00:00.000Z');

  fs.appendFileSync(path.join(dir, 'src', 'app.js'), 'console.log(2);\n');
  const changed = c.notified(AnnotationsNotification, (p) => p.uri === uri && (p.forecast?.lines.length ?? 0) > 0);
  c.notify('workspace/didChangeWatchedFiles', {
    changes: [{ uri: pathToFileURL(path.join(dir, 'src', 'app.js')).href, type: 2 }],
  });
  const ann = await changed;
  assert.deepEqual(ann.forecast?.lines, [5, 6]);
  // the recorded times: 2 s for the RUN, 0.1 s for the COPY, plus the build's own time outside its steps
  assert.ok(ann.forecast && ann.forecast.seconds !== null && ann.forecast.seconds >= 2.1, JSON.stringify(ann.forecast));
  const copy = ann.steps.find((s) => s.line === 5);
  assert.equal(copy?.forecast?.rerun, true);
  assert.match(copy?.forecast?.cause ?? '', /src\/app\.js changed since the last build/);
  assert.match(ann.steps.find((s) => s.line === 6)?.forecast?.cause ?? '', /because line 5 re-runs/);
  assert.equal(ann.steps.find((s) => s.line === 4)?.forecast?.rerun, false);
  // no engine in an untrusted workspace: the base image was not checked, and the forecast says so
  assert.ok(ann.forecast?.notes.some((n) => /not checked/.test(n)));

  const asked = await c.call(ForecastRequest, { uri });
  assert.deepEqual(asked.forecast?.lines, [5, 6]);
});
