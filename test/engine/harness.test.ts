// Smoke test of the engine harness: a private dockerd starts, offline base images import, a fixture builds
// through the production build function, and the engine stops cleanly. (ensureDebian is exercised by the
// apt test in measure.test.ts.)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFixture, ensureBusybox, fixturesDir, startEngine, type TestEngine } from './harness';

let engine: TestEngine | null = null;

before(async () => {
  engine = await startEngine();
});

after(async () => {
  await engine?.stop();
});

test('the private engine answers and stops by PID, removing its data root', { timeout: 60_000 }, async (t) => {
  if (!engine) return t.skip('no Docker engine');
  const info = (await engine.docker.info()) as { Driver: string };
  assert.ok(info.Driver.length > 0);
  assert.ok(engine.host.startsWith('unix:///'));
  assert.ok(fs.existsSync(engine.dir));
});

test(
  'busybox imports offline; a fixture builds through the production build function and rebuilds from cache',
  { timeout: 120_000 },
  async (t) => {
    if (!engine) return t.skip('no Docker engine');
    await ensureBusybox(engine);
    const hist = await engine.docker.getImage('busybox:latest').history();
    assert.equal(hist.length, 1, 'an imported image has one history entry');
    const dir = path.join(fixturesDir(), 'smoke');
    const out = await buildFixture(engine, dir, { builder: 'buildkit', tag: 'smoke:1' });
    assert.ok(out.imageId, 'the build produced an image id');
    const run = out.steps.find((s) => s.line === 3);
    assert.ok(run, `the RUN on line 3 has a step record (${JSON.stringify(out.steps)})`);
    assert.equal(run.cached, false);
    const inspected: { Id: string } = await engine.docker.getImage('smoke:1').inspect();
    assert.ok(inspected.Id.includes(out.imageId?.replace(/^sha256:/, '') ?? '?'), 'the tag points at the built image');
    const again = await buildFixture(engine, dir, { builder: 'buildkit', tag: 'smoke:2' });
    assert.equal(again.steps.find((s) => s.line === 3)?.cached, true);
  },
);
