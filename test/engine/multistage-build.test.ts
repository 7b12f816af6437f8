// The multi-stage rewrite against a real engine: a single-stage Dockerfile compiles a C program with gcc from
// Debian's apt inside the build; multi-stage-candidate's fix splits it; the rewritten Dockerfile builds, the
// program runs in the new image, and the image is smaller. The runtime base the fix chooses cannot be pulled
// here, so a local image of the same name stands in for it (test/fixtures/rewrite/distroless-cc-standin:
// glibc, libgcc, the loader and the user database from the local Debian, no shell).

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { applyEdits } from '../../server/src/analysis/rewrite/edits';
import { formatBytes } from '../../server/src/report/format';
import { buildFixture, engineSuite, ensureDebian, repoRoot, runImage, type TestEngine } from './harness';

const engineTest = engineSuite();
let work = '';

before(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-multistage-'));
});

after(async () => {
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

const fixture = (name: string): string => path.join(repoRoot(), 'test', 'fixtures', 'rewrite', name);

async function imageBytes(e: TestEngine, image: string): Promise<number> {
  const info = (await e.docker.getImage(image).inspect()) as { Size: number };
  return info.Size;
}

interface Scenario {
  fixture: string;
  /** The fixture that stands in for the runtime base the fix chooses (built under that name). */
  standin: string;
  runtime: RegExp;
  output: RegExp;
  /** Builder for the rewritten Dockerfile (the original always builds with the legacy builder). */
  builder: 'legacy' | 'buildkit';
  workdir: string;
  env: string[];
}

async function buildRewriteRun(e: TestEngine, sc: Scenario): Promise<void> {
  await ensureDebian(e);
  const name = `li-${sc.fixture}`;

  // 1. the single-stage build, as the user wrote it
  const original = await fs.promises.readFile(path.join(fixture(sc.fixture), 'Dockerfile'), 'utf8');
  await buildFixture(e, fixture(sc.fixture), { builder: 'legacy', tag: `${name}:single` });
  const single = await runImage(e, `${name}:single`);
  assert.equal(single.code, 0, single.output);
  assert.match(single.output, sc.output);

  // 2. the rewrite the editor offers, applied as the editor would
  const before = analyze(original);
  const finding = before.findings.find((f) => f.rule === 'multi-stage-candidate');
  assert.ok(finding, 'multi-stage-candidate fires on the single-stage build');
  const fix = finding.fixes[0];
  assert.ok(fix, finding.message);
  const rewritten = applyEdits(original, fix.edits);
  const after = analyze(rewritten);
  const runtime = after.model.stages[after.model.target];
  assert.equal(after.model.stages.length, 2);
  assert.equal(
    after.findings.find((f) => f.rule === 'multi-stage-candidate'),
    undefined,
  );
  assert.ok(before.image && after.image && after.image.bytes < before.image.bytes, 'the estimate drops too');

  // 3. the runtime base the fix chose, stood in by a local image of that name
  assert.match(runtime.from, sc.runtime, `runtime base chosen: ${runtime.from}`);
  const standinTag = /:[^/]+$/.test(runtime.from) ? runtime.from : `${runtime.from}:latest`;
  await buildFixture(e, fixture(sc.standin), { builder: 'legacy', tag: standinTag });

  // 4. build the rewritten Dockerfile from a copy of the fixture's context; the program runs the same
  const ctx = path.join(work, sc.fixture);
  await fs.promises.cp(fixture(sc.fixture), ctx, { recursive: true });
  await fs.promises.writeFile(path.join(ctx, 'Dockerfile'), rewritten);
  await buildFixture(e, ctx, { builder: sc.builder, tag: `${name}:multi` });
  const multi = await runImage(e, `${name}:multi`);
  assert.equal(multi.code, 0, multi.output);
  assert.equal(multi.output, single.output, 'the program runs with the same ENTRYPOINT, CMD and USER');

  const config = (
    (await e.docker.getImage(`${name}:multi`).inspect()) as { Config: { Env: string[] | null; WorkingDir: string } }
  ).Config;
  for (const kv of sc.env) assert.ok((config.Env ?? []).includes(kv), `ENV ${kv} kept`);
  assert.equal(config.WorkingDir, sc.workdir, 'WORKDIR kept');

  const singleBytes = await imageBytes(e, `${name}:single`);
  const multiBytes = await imageBytes(e, `${name}:multi`);
  console.log(`# ${sc.fixture}: single-stage ${name}:single ${formatBytes(singleBytes)} (${singleBytes} bytes)`);
  console.log(
    `# ${sc.fixture}: multi-stage  ${name}:multi (FROM ${runtime.from} stand-in, ${sc.builder}) ${formatBytes(multiBytes)} (${multiBytes} bytes)`,
  );
  console.log(
    `# ${sc.fixture}: estimate before ${formatBytes(before.image.bytes)}, after ${formatBytes(after.image.bytes)}; fix: ${fix.title}`,
  );
  assert.ok(multiBytes < singleBytes, `${multiBytes} < ${singleBytes}`);
  // the toolchain (tens of MB at least) is what goes away
  assert.ok(singleBytes - multiBytes > 50e6, `saves ${formatBytes(singleBytes - multiBytes)}`);
}

engineTest(
  'multi-stage rewrite of a gcc build: builds, runs on distroless cc, and the image is smaller',
  { timeout: 15 * 60_000 },
  async (engine) => {
    await buildRewriteRun(engine, {
      fixture: 'c-hello',
      standin: 'distroless-cc-standin',
      runtime: /^gcr\.io\/distroless\/cc-debian12$/,
      output: /^hello, layer-insight \(glibc 2\.\d+\)\n$/,
      builder: 'legacy',
      workdir: '/src',
      env: ['GREETING_STYLE=plain'],
    });
  },
);

engineTest(
  "multi-stage rewrite of a Go build (Debian's golang-go, CGO off): static binary on distroless static, BuildKit",
  { timeout: 15 * 60_000 },
  async (engine) => {
    await buildRewriteRun(engine, {
      fixture: 'go-hello',
      standin: 'distroless-static-standin',
      runtime: /^gcr\.io\/distroless\/static-debian12:nonroot$/,
      output: /^hello, gopher \(go1\.\d+[^,]*, linux\/amd64\)\n$/,
      builder: 'buildkit',
      workdir: '/src',
      env: [],
    });
  },
);
