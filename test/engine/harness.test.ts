// Smoke test of the engine harness: a private dockerd starts, offline base images import, a fixture builds
// with both builders through the production build function, and the engine stops cleanly.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFixture, ensureBusybox, ensureDebian, fixturesDir, startEngine, type TestEngine } from './harness';

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

test('busybox imports offline and a fixture builds with both builders', { timeout: 120_000 }, async (t) => {
  if (!engine) return t.skip('no Docker engine');
  await ensureBusybox(engine);
  const hist = await engine.docker.getImage('busybox:latest').history();
  assert.equal(hist.length, 1, 'an imported image has one history entry');
  const dir = path.join(fixturesDir(), 'smoke');
  for (const builder of ['legacy', 'buildkit'] as const) {
    const out = await buildFixture(engine, dir, { builder, tag: `smoke-${builder}:1` });
    assert.ok(out.imageId, `${builder} produced an image id`);
    const run = out.steps.find((s) => s.line === 3);
    assert.ok(run, `${builder}: the RUN on line 3 has a step record (${JSON.stringify(out.steps)})`);
    assert.equal(run.cached, false);
    const inspected: { Id: string } = await engine.docker.getImage(`smoke-${builder}:1`).inspect();
    assert.ok(inspected.Id.includes(out.imageId?.replace(/^sha256:/, '') ?? '?'), `${builder}: tag points at the built image`);
  }
  // a second build of the same Dockerfile is served from the cache
  const again = await buildFixture(engine, dir, { builder: 'legacy', tag: 'smoke-legacy:2' });
  assert.equal(again.steps.find((s) => s.line === 3)?.cached, true);
});

test('a Debian base is made with debootstrap (cached tarball) and imports', { timeout: 600_000 }, async (t) => {
  if (!engine) return t.skip('no Docker engine');
  await ensureDebian(engine);
  const img = await engine.docker.getImage('debian:bookworm-slim').inspect();
  assert.ok(img.Size > 50_000_000, `debian base is ${img.Size} bytes`);
});
