// Podman (Debian's podman) through its Docker-compatible API, started by this file on a private socket and storage:
// the probe names the engine and what its sizes mean, a build asked for BuildKit builds with buildah (and says
// so) instead of failing, single- and multi-stage images map to their Dockerfile lines with the sizes Podman's own
// `podman history` gives (tar sizes: larger than the files), and a rebuild marks the steps cached.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { resolveEngine, probeEngine } from '../../server/src/engine/connect';
import { pickBuilder } from '../../server/src/engine/engineKind';
import type { AnnotationsParams, BuildResult, EngineState, HistoryResult } from '../../server/src/protocol';
import { LspClient } from '../lsp/client';
import { buildFixture, ensureBusybox, fixturesDir, measureImage, repoRoot, type TestEngine } from './harness';
import { PODMAN_MISSING, podmanCli, remoteSuite, startPodman } from './remoteHarness';

const podmanTest = remoteSuite('Podman', PODMAN_MISSING, async () => {
  const e = await startPodman();
  try {
    await ensureBusybox(e);
  } catch (err) {
    await e.stop();
    throw err;
  }
  return e;
});

async function probe(e: TestEngine): Promise<EngineState> {
  return probeEngine(resolveEngine({ env: { DOCKER_HOST: e.host }, home: e.dir }), 10_000);
}

/** Podman's own history of an image (its CLI on the same storage), newest first: sizes and commands. */
async function podmanHistory(e: TestEngine, image: string): Promise<{ size: number; CreatedBy: string }[]> {
  return JSON.parse(await podmanCli(e, ['history', '--format', 'json', image])) as {
    size: number;
    CreatedBy: string;
  }[];
}

/** Builds a fixture the way the editor does (the builder setting, then the one the engine has), and measures it. */
async function buildAndMeasure(e: TestEngine, state: EngineState, fixture: string, tag: string) {
  const picked = pickBuilder('buildkit', state);
  const dir = path.join(fixturesDir(), fixture);
  const outcome = await buildFixture(e, dir, { builder: picked.builder, tag });
  const result = await measureImage(e.docker, tag, outcome.model, {
    buildSteps: outcome.steps,
    engineKind: state.kind,
  });
  return { picked, outcome, result };
}

podmanTest('the probe names Podman, its version, its store and what its sizes mean', { timeout: 60_000 }, async (e) => {
  const state = await probe(e);
  assert.equal(state.status, 'connected', state.message);
  assert.equal(state.kind, 'podman');
  const own = /(\d+\.\d+\.\d+)/.exec(await podmanCli(e, ['--version']))?.[1];
  assert.equal(state.version, own, "the version is Podman's own, not the Docker API version it serves");
  assert.equal(state.storageDriver, 'overlay');
  assert.deepEqual(state.builders, ['buildah']);
  assert.match(state.sizeKind ?? '', /^tar size/);
  assert.match(state.message, /^Podman \d+\.\d+\.\d+ at unix:\/\/.*tar size.*builds with buildah \d/);
});

podmanTest(
  "a single-stage file builds with buildah when BuildKit is asked for, maps line by line, sizes are Podman's own",
  { timeout: 120_000 },
  async (e) => {
    const state = await probe(e);
    const { picked, outcome, result } = await buildAndMeasure(e, state, 'basic', 'pm-basic:1');
    assert.equal(picked.builder, 'buildah');
    assert.match(picked.note ?? '', /Podman has no BuildKit: building with buildah/);
    assert.equal(result.measured.mismatch, undefined, result.measured.mismatch);
    assert.match(result.measured.sizeKind, /^tar size, uncompressed, Podman overlay store$/);
    // every instruction after FROM has a step record on its line, none cached on the first build
    const model = parseDockerfile(outcome.model.text);
    const lines = model.steps.filter((s) => s.keyword !== 'FROM').map((s) => s.line);
    assert.deepEqual(
      outcome.steps.map((s) => s.line).filter((l) => l !== 1),
      lines,
    );
    assert.ok(
      outcome.steps.every((s) => !s.cached),
      JSON.stringify(outcome.steps),
    );
    // sizes: each mapped step's bytes equal the size `podman history` gives that step's entry
    const hist = (await podmanHistory(e, 'pm-basic:1')).reverse();
    const mapped = result.mapping.entries.filter((x) => x.origin === 'dockerfile');
    assert.equal(mapped.length, lines.length);
    for (const m of mapped) assert.equal(m.size, hist[m.index].size, `line of ${m.display}`);
    for (const s of result.measured.steps) assert.equal(s.sizeKind, result.measured.sizeKind);
    // the RUN writing 250,000 bytes: a tar size, a little more than the file (headers, 512-byte blocks)
    const run = result.measured.steps.find((s) => model.steps[s.stepIndex].keyword === 'RUN');
    assert.ok(run && run.bytes > 250_000 && run.bytes < 250_000 + 16_384, `RUN layer ${run?.bytes}`);
    assert.equal(run.bytes % 512, 0, 'a tar size is a whole number of 512-byte blocks');
    // FROM carries the imported base's one entry (Podman records it as an ADD, not an empty command)
    const from = result.measured.steps.find((s) => s.stepIndex === model.steps[0].index);
    assert.equal(from?.bytes, hist[0].size);
  },
);

podmanTest('a rebuild marks every step cached (buildah\'s "--> Using cache")', { timeout: 120_000 }, async (e) => {
  const state = await probe(e);
  await buildAndMeasure(e, state, 'smoke', 'pm-smoke:1');
  const { outcome, result } = await buildAndMeasure(e, state, 'smoke', 'pm-smoke:2');
  assert.equal(result.measured.mismatch, undefined);
  // buildah, like the legacy builder, prints no cache line for FROM: every other step is marked
  const after = outcome.steps.filter((s) => s.line !== 1);
  assert.equal(after.length, 3, JSON.stringify(outcome.steps));
  assert.ok(
    after.every((s) => s.cached),
    `all cached: ${JSON.stringify(outcome.steps.map((s) => [s.line, s.cached]))}`,
  );
  const measuredRun = result.measured.steps.find((s) => s.stepIndex === 2);
  assert.equal(measuredRun?.cached, true, 'the measured RUN carries the cached mark');
});

podmanTest(
  "a multi-stage file maps its final stage; COPY --from and RUN sizes are Podman's",
  { timeout: 120_000 },
  async (e) => {
    const state = await probe(e);
    const { outcome, result } = await buildAndMeasure(e, state, 'multistage', 'pm-multi:1');
    assert.equal(result.measured.mismatch, undefined, result.measured.mismatch);
    const model = outcome.model;
    const hist = (await podmanHistory(e, 'pm-multi:1')).reverse();
    const byLine = new Map(result.measured.steps.map((s) => [model.steps[s.stepIndex].line, s]));
    const copy = byLine.get(6);
    const run = byLine.get(7);
    assert.ok(copy && run, `lines 6 and 7 measured: ${JSON.stringify([...byLine.keys()])}`);
    const entryOf = (line: number) =>
      result.mapping.entries.find((x) => x.stepIndex !== null && model.steps[x.stepIndex].line === line);
    assert.equal(copy.bytes, hist[entryOf(6)?.index ?? -1]?.size);
    assert.equal(run.bytes, hist[entryOf(7)?.index ?? -1]?.size);
    assert.ok(copy.bytes > 400_000 && copy.bytes < 400_000 + 16_384, `COPY --from of 400,000 bytes: ${copy.bytes}`);
    assert.ok(run.bytes > 30_000 && run.bytes < 30_000 + 16_384, `RUN of 30,000 bytes: ${run.bytes}`);
    // the build stage's steps (lines 2, 3) ran and have records, but leave no entry in the final image
    assert.ok(
      outcome.steps.some((s) => s.line === 3),
      JSON.stringify(outcome.steps),
    );
    assert.equal(byLine.has(3), false);
  },
);

podmanTest(
  'global and stage ARGs: buildah numbers steps per stage without the global ARG; the image maps',
  { timeout: 120_000 },
  async (e) => {
    const state = await probe(e);
    const { outcome, result } = await buildAndMeasure(e, state, 'args', 'pm-args:1');
    assert.equal(result.measured.mismatch, undefined, result.measured.mismatch);
    assert.deepEqual(
      outcome.steps.map((s) => s.line),
      [2, 3, 4, 5, 6, 7],
      'each STEP on its own line (STEP 1/6 is the FROM on line 2)',
    );
    const run = result.measured.steps.find((s) => outcome.model.steps[s.stepIndex].line === 6);
    assert.ok(run && run.bytes > 10_000 && run.bytes < 10_000 + 16_384, `RUN of 10,000 bytes: ${run?.bytes}`);
  },
);

podmanTest(
  "the CLI names Podman's size kind on each measured step and on the image total",
  { timeout: 120_000 },
  async (e) => {
    const state = await probe(e);
    await buildAndMeasure(e, state, 'basic', 'pm-cli:1');
    const cli = path.join(repoRoot(), 'out', 'server', 'src', 'cli.js');
    const dockerfile = path.join(fixturesDir(), 'basic', 'Dockerfile');
    const run = (format: string) =>
      spawnSync(
        process.execPath,
        [cli, 'analyze', '--format', format, '--engine', 'on', '--image', 'pm-cli:1', dockerfile],
        {
          env: { ...process.env, DOCKER_CONTEXT: '', DOCKER_HOST: e.host },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
    const json = run('json');
    assert.ok(json.status === 0 || json.status === 1, `exit ${json.status}: ${json.stderr}`);
    const report = JSON.parse(json.stdout) as {
      steps: { line: number; size: { bytes: number; source: string; basis: string } | null }[];
      image: { bytes: number; source: string; sizeKind?: string } | null;
    };
    const run6 = report.steps.find((s) => s.line === 6);
    assert.equal(run6?.size?.source, 'measured');
    assert.ok((run6?.size?.bytes ?? 0) > 250_000, 'a tar size, larger than the 250,000-byte file');
    assert.match(run6?.size?.basis ?? '', /\(tar size, uncompressed, Podman overlay store\)$/);
    assert.deepEqual(
      [report.image?.source, report.image?.sizeKind],
      ['measured', 'tar size, uncompressed, Podman overlay store'],
    );
    const text = run('text');
    assert.match(text.stdout, /image [\d.]+ [kM]B \(measured, tar size, uncompressed, Podman overlay store\)/);
  },
);

podmanTest(
  'the language server on Podman: the BuildKit setting builds with buildah and says so; measured sizes say "tar size"',
  { timeout: 180_000 },
  async (e) => {
    const c = new LspClient(['out/server/src/main.js', '--stdio']);
    try {
      const file = path.join(fixturesDir(), 'basic', 'Dockerfile');
      const uri = pathToFileURL(file).href;
      const connected = c.waitFor(
        (m) => m.method === 'layerInsight/engineState' && (m.params as EngineState).status === 'connected',
        15_000,
        'engine connected',
      );
      await c.initialize({ annotations: true, settings: { engine: { mode: 'auto', host: e.host }, trusted: true } });
      const state = (await connected).params as EngineState;
      assert.deepEqual([state.kind, state.builders], ['podman', ['buildah']]);
      c.open(uri, fs.readFileSync(file, 'utf8'));
      const measured = c.waitFor(
        (m) => m.method === 'layerInsight/annotations' && (m.params as AnnotationsParams).mode === 'measured',
        150_000,
        'measured annotations',
      );
      const result = await c.request<BuildResult>(
        'layerInsight/build',
        { uri, builder: 'buildkit', tag: 'pm-lsp:1' },
        150_000,
      );
      assert.equal(result.ok, true, result.message);
      const progress = c.notifications
        .filter((m) => m.method === 'layerInsight/buildProgress')
        .map((m) => (m.params as { message: string }).message);
      assert.ok(progress.includes('Podman has no BuildKit: building with buildah (Podman builds every image with it)'));
      assert.ok(
        progress.some((m) => /^STEP \d+\/\d+: RUN dd/.test(m)),
        'buildah STEP lines streamed',
      );
      const ann = (await measured).params as AnnotationsParams;
      const run = ann.steps.find((s) => s.line === 6);
      assert.equal(run?.size?.source, 'measured');
      assert.match(run?.size?.basis ?? '', /tar size, uncompressed, Podman overlay store/);
      assert.equal(run?.cached, true, 'built earlier in this file: buildah serves it from its cache');
      const tree = await c.request<HistoryResult>('layerInsight/history', { uri });
      assert.equal(tree.sizeKind, 'tar size, uncompressed, Podman overlay store');
    } finally {
      await c.stop();
    }
  },
);

podmanTest(
  '`layer-insight build` on Podman: the default builder is buildah, said once; a rebuild runs nothing',
  { timeout: 120_000 },
  async (e) => {
    const cli = path.join(repoRoot(), 'out', 'server', 'src', 'cli.js');
    const dockerfile = path.join(fixturesDir(), 'basic', 'Dockerfile');
    const build = () =>
      spawnSync(process.execPath, [cli, 'build', '--tag', 'pm-clibuild:1', dockerfile], {
        env: {
          ...process.env,
          DOCKER_CONTEXT: '',
          DOCKER_HOST: e.host,
          HOME: e.dir,
          XDG_CACHE_HOME: path.join(e.dir, 'cache'),
        },
        encoding: 'utf8',
        timeout: 90_000,
      });
    const first = build();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /^Podman has no BuildKit: building with buildah/m);
    assert.match(first.stdout, /^built pm-clibuild:1 in [\d.]+ s with buildah: \d+ of 9 steps ran/);
    assert.match(first.stdout, /\(measured, tar size, uncompressed, Podman overlay store\)/);
    const second = build();
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /with buildah: 0 of 9 steps ran, 9 from the cache/);
  },
);
