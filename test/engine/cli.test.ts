// The CLI against a real engine: --engine on --image REF replaces estimates with measured sizes; with no
// engine, "on" fails with exit 2 and a clear message and "auto" falls back to estimates with a note.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildFixture, engineSuite, fixturesDir, repoRoot } from './harness';

const engineTest = engineSuite({ busybox: true });

const cli = path.join(repoRoot(), 'out', 'server', 'src', 'cli.js');
const dockerfile = path.join(fixturesDir(), 'basic', 'Dockerfile');

function run(
  args: string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, DOCKER_CONTEXT: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

engineTest(
  '--engine on --image REF reports measured sizes for the mapped steps',
  { timeout: 120_000 },
  async (engine) => {
    await buildFixture(engine, path.join(fixturesDir(), 'basic'), { builder: 'buildkit', tag: 'cli-basic:1' });
    const r = run(['analyze', '--format', 'json', '--engine', 'on', '--image', 'cli-basic:1', dockerfile], {
      DOCKER_HOST: engine.host,
    });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as {
      steps: { line: number; instruction: string; size: { bytes: number; source: string; basis: string } | null }[];
      image: { bytes: number; source: string } | null;
    };
    const run6 = report.steps.find((s) => s.line === 6);
    assert.deepEqual([run6?.size?.bytes, run6?.size?.source], [250_000, 'measured']);
    assert.match(run6?.size?.basis ?? '', /overlay2 on-disk, uncompressed/);
    assert.equal(report.image?.source, 'measured');
    const inspected = await engine.docker.getImage('cli-basic:1').inspect();
    assert.equal(report.image?.bytes, inspected.Size);
  },
);

test(
  '--engine on with no engine exits 2 with a clear message; auto falls back to estimates quickly',
  { timeout: 60_000 },
  () => {
    const env = { DOCKER_HOST: 'unix:///tmp/li-no-engine-here.sock' };
    const on = run(['analyze', '--engine', 'on', dockerfile], env);
    assert.equal(on.status, 2);
    assert.match(on.stderr, /no Docker engine at unix:\/\/\/tmp\/li-no-engine-here.sock/);
    const auto = run(['analyze', '--format', 'json', '--engine', 'auto', dockerfile], env);
    assert.ok(auto.status === 0 || auto.status === 1, auto.stderr);
    assert.match(auto.stderr, /showing estimates/);
    const report = JSON.parse(auto.stdout) as { steps: { size: { source: string } | null }[] };
    assert.ok(
      report.steps.some((s) => s.size !== null),
      'the layer steps have sizes',
    );
    assert.ok(report.steps.every((s) => s.size === null || s.size.source === 'estimate'));
    assert.ok(auto.ms < 10_000, `auto took ${auto.ms} ms`);
  },
);

engineTest('--image of a missing image says so', { timeout: 60_000 }, async (engine) => {
  const r = run(['analyze', '--engine', 'on', '--image', 'not-built:1', dockerfile], { DOCKER_HOST: engine.host });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no image "not-built:1"/);
});
