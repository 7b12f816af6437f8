// Smoke test of the engine harness: a private dockerd starts, offline base images import, a fixture builds
// through the production build function, and the engine stops cleanly by its PID. (ensureDebian is exercised by
// the apt test in measure.test.ts.)

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFixture, engineSuite, ensureBusybox, fixturesDir, startEngine } from './harness';

const engineTest = engineSuite();

engineTest('the private engine answers at its own socket', { timeout: 60_000 }, async (engine) => {
  const info = (await engine.docker.info()) as { Driver: string };
  assert.ok(info.Driver.length > 0);
  assert.equal(engine.host, `unix://${engine.socketPath}`);
  assert.ok(engine.socketPath.startsWith(engine.dir));
  assert.ok(fs.existsSync(engine.dir));
});

engineTest('an engine stops by its PID and its data root is removed', { timeout: 60_000 }, async () => {
  const own = await startEngine();
  assert.notEqual(own.pid, 0);
  process.kill(own.pid, 0); // throws when no such process
  await own.stop();
  assert.throws(() => process.kill(own.pid, 0), /ESRCH/, 'dockerd is gone');
  assert.equal(fs.existsSync(own.dir), false, 'its folder is removed');
});

engineTest(
  'busybox imports offline; a fixture builds through the production build function and rebuilds from cache',
  { timeout: 120_000 },
  async (engine) => {
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
