// Faults and the server-side service: untrusted workspaces never reach the engine, a missing engine is a clear
// state that recovers, builds can be cancelled or time out, and an engine that stops during a build ends the
// build with a message instead of a hang.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze } from '../../server/src/analysis/analyze';
import type { ImageFacts } from '../../server/src/analysis/image/facts';
import { baseImageOf } from '../../server/src/analysis/image/map';
import type { Analysis, BuildFacts, MeasuredImage } from '../../server/src/analysis/model';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { historyResult } from '../../server/src/lsp/history';
import { buildImage } from '../../server/src/engine/build';
import { probeEngine, type ResolvedEngine } from '../../server/src/engine/connect';
import { EngineService, type EngineServiceHost } from '../../server/src/engine/service';
import type { BuildProgressParams, EngineState, ServerSettings } from '../../server/src/protocol';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';
import { engineSuite, ensureBusybox, fixturesDir, startEngine } from './harness';

const unixEngine = (socketPath: string): ResolvedEngine => ({
  host: `unix://${socketPath}`,
  source: 'test',
  kind: 'unix',
  socketPath,
});

/** The language server's side of the service: the images it hands over, mapped by the analysis of each text. */
class FakeHost implements EngineServiceHost {
  settingsValue: ServerSettings = { ...DEFAULT_SETTINGS };
  images = new Map<string, ImageFacts | undefined>();
  states: EngineState[] = [];
  progress: BuildProgressParams[] = [];
  texts = new Map<string, string>();
  settings(): ServerSettings {
    return this.settingsValue;
  }
  setImage(uri: string, image: ImageFacts | undefined): string | undefined {
    this.images.set(uri, image);
    return this.measured(uri)?.mismatch;
  }
  baseImage(uri: string, target?: string): string | null {
    const text = this.texts.get(uri);
    return text === undefined ? null : baseImageOf(parseDockerfile(text), target);
  }
  analysis(uri: string): Analysis | undefined {
    const text = this.texts.get(uri);
    const image = this.images.get(uri);
    return text === undefined ? undefined : analyze(text, image ? { image } : {});
  }
  measured(uri: string): MeasuredImage | undefined {
    return this.analysis(uri)?.mapped?.measured;
  }
  history(uri: string, service: EngineService): ReturnType<typeof historyResult> {
    const a = this.analysis(uri);
    return a?.mapped ? historyResult(a.mapped, a.model) : service.noImage();
  }
  builds = new Map<string, BuildFacts>();
  setBuild(uri: string, b: BuildFacts): void {
    this.builds.set(uri, b);
  }
  readonly records = fs.mkdtempSync(path.join(os.tmpdir(), 'li-faults-records-'));
  recordDir(): string {
    return this.records;
  }
  text(uri: string): string | undefined {
    return this.texts.get(uri);
  }
  sendState(s: EngineState): void {
    this.states.push(s);
  }
  sendProgress(p: BuildProgressParams): void {
    this.progress.push(p);
  }
}

const engineTest = engineSuite({ busybox: true });

describe('engine service', () => {
  test('an untrusted workspace or engine mode "off" never reaches the engine and never builds', async () => {
    const host = new FakeHost();
    host.settingsValue = { ...DEFAULT_SETTINGS, trusted: false };
    const service = new EngineService(host);
    let resolved = 0;
    service.resolve = () => {
      resolved++;
      return unixEngine('/tmp/li-never.sock');
    };
    const s = await service.probe();
    assert.equal(s.status, 'untrusted');
    const r = await service.build({ uri: pathToFileURL(path.join(fixturesDir(), 'basic', 'Dockerfile')).href });
    assert.equal(r.ok, false);
    assert.match(r.message, /not trusted/);
    host.settingsValue = { ...DEFAULT_SETTINGS, engine: { mode: 'off', host: null } };
    service.settingsChanged();
    assert.equal((await service.probe()).status, 'disabled');
    assert.equal(resolved, 0, 'no engine was even looked up');
    assert.equal(host.images.size, 0);
    service.dispose();
  });

  engineTest(
    'missing engine: clear state, then recovery; build and map feed measured sizes; edits re-map',
    { timeout: 120_000 },
    async (engine) => {
      const host = new FakeHost();
      const service = new EngineService(host);
      let target = unixEngine('/tmp/li-missing-engine.sock');
      service.resolve = () => target;
      const missing = await service.probe();
      assert.equal(missing.status, 'none');
      assert.match(missing.message, /no Docker engine at unix:\/\/\/tmp\/li-missing-engine.sock/);
      const uri = pathToFileURL(path.join(fixturesDir(), 'basic', 'Dockerfile')).href;
      const text = fs.readFileSync(path.join(fixturesDir(), 'basic', 'Dockerfile'), 'utf8');
      host.texts.set(uri, text);
      const refused = await service.build({ uri });
      assert.equal(refused.ok, false);
      assert.match(refused.message, /no Docker engine/);

      // the engine appears (e.g. Docker Desktop started): the next probe connects
      target = unixEngine(engine.socketPath);
      service.settingsChanged();
      const back = await service.probe();
      assert.equal(back.status, 'connected');
      assert.equal(back.storageDriver, 'overlay2');
      assert.equal(host.states[host.states.length - 1].status, 'connected');

      const built = await service.build({ uri, builder: 'buildkit', tag: 'service-basic:1' });
      assert.equal(built.ok, true, built.message);
      assert.ok(host.progress.some((p) => p.done));
      assert.ok(host.progress.some((p) => /RUN dd/.test(p.message)));
      const m = host.measured(uri);
      assert.ok(m && !m.mismatch);
      const runLine = text.split('\n').findIndex((l) => l.startsWith('RUN ')) + 1;
      const stepIndexOfRun = m.steps.find((s) => s.bytes === 250_000)?.stepIndex;
      assert.notEqual(stepIndexOfRun, undefined, 'the RUN layer (250 kB) is measured');
      const tree = host.history(uri, service);
      assert.equal(tree.image, 'service-basic:1');
      assert.equal(tree.base?.layers, 1);
      const layer = tree.stages[0].layers.find((l) => l.line === runLine);
      assert.ok(layer && layer.bytes === 250_000 && layer.largestFiles[0]?.path === '/srv/app/blob.bin');
      assert.equal(layer.cached, false);

      // a comment added on top shifts lines but keeps the mapping; a new instruction makes it a mismatch
      host.texts.set(uri, `# a comment\n${text}`);
      const shifted = host.history(uri, service).stages[0].layers.find((l) => l.bytes === 250_000);
      assert.equal(shifted?.line, runLine + 1);
      assert.equal(host.measured(uri)?.mismatch, undefined);
      const edited = text.replace('EXPOSE 8080', 'EXPOSE 8080\nRUN echo added');
      host.texts.set(uri, edited);
      assert.match(host.measured(uri)?.mismatch ?? '', /not built from this|does not match/);

      // mapping an existing image without building
      const mapped = await service.mapImage({ uri, image: 'service-basic:1' });
      assert.equal(mapped.ok, false, 'the edited text no longer fits');
      host.texts.set(uri, text);
      const again = await service.mapImage({ uri, image: 'service-basic:1' });
      assert.equal(again.ok, true, again.message);
      const none = await service.mapImage({ uri, image: 'no-such-image:1' });
      assert.match(none.message, /no image "no-such-image:1"/);
      service.dispose();
    },
  );
});

describe('build faults', () => {
  engineTest(
    'cancel and timeout end a running build promptly and leave the engine usable',
    { timeout: 90_000 },
    async (engine) => {
      const dir = path.join(fixturesDir(), 'slow');
      for (const builder of ['legacy', 'buildkit'] as const) {
        const controller = new AbortController();
        const t0 = Date.now();
        let cancelledAt = 0;
        const out = await buildImage(engine.docker, {
          context: dir,
          builder,
          tag: `slow-${builder}:1`,
          signal: controller.signal,
          noCache: true,
          onProgress: (p) => {
            if (!cancelledAt && /starting/.test(p.message)) {
              cancelledAt = Date.now();
              controller.abort();
            }
          },
        });
        assert.ok(cancelledAt > 0, `${builder}: the RUN started (${out.log.slice(-5).join(' | ')})`);
        assert.equal(out.ok, false);
        assert.equal(out.cancelled, true);
        assert.equal(out.message, 'build cancelled');
        assert.ok(Date.now() - cancelledAt < 5_000, `${builder}: resolved ${Date.now() - cancelledAt} ms after cancel`);
        assert.ok(Date.now() - t0 < 40_000);
        const timed = await buildImage(engine.docker, {
          context: dir,
          builder,
          tag: `slow-${builder}:2`,
          timeoutMs: 4_000,
          noCache: true,
        });
        assert.equal(timed.timedOut, true);
        assert.match(timed.message, /timed out after 4 s/);
      }
      assert.equal((await probeEngine(unixEngine(engine.socketPath), 2000)).status, 'connected');
    },
  );

  for (const builder of ['legacy', 'buildkit'] as const) {
    engineTest(
      `the engine stopping during a build ends it with a clear message (${builder})`,
      { timeout: 90_000 },
      async () => {
        const own = await startEngine();
        try {
          await ensureBusybox(own);
          let stopping: Promise<void> | null = null;
          const t0 = Date.now();
          const out = await buildImage(own.docker, {
            context: path.join(fixturesDir(), 'slow'),
            builder,
            tag: 'slow:gone',
            onProgress: (p) => {
              if (!stopping && /starting/.test(p.message)) stopping = own.stop();
            },
          });
          assert.ok(stopping, 'the engine was stopped while RUN was running');
          await stopping;
          assert.equal(out.ok, false);
          // a graceful stop makes the engine fail the build itself (its own words are relayed); a vanished
          // engine reads as "stopped answering" / "connection broke"
          assert.match(
            out.message,
            /^(build failed: |the Docker engine stopped answering|the connection to the engine broke|the engine closed the build stream)/,
          );
          assert.ok(Date.now() - t0 < 60_000, `ended after ${Date.now() - t0} ms`);
          const after = await probeEngine(unixEngine(own.socketPath), 1000);
          assert.equal(after.status, 'none');
        } finally {
          await own.stop();
        }
      },
    );
  }
});
