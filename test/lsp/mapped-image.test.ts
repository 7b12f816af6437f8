// An image mapped to an open Dockerfile, as an editor user has it after "Map image": each edit is analysed once and
// published once (one publishDiagnostics per version, and no "facts changed" signal: the editor is not asked to
// fetch every inlay hint again after each keystroke), measured sizes follow their lines, an edit that no longer
// fits the image turns the sizes back into estimates, and the history tree answers from the same analysis.
// The engine is scripts/fake-engine.mjs answering what a real dockerd answered for the `basic` fixture built with
// BuildKit (test/fixtures/engine/recorded/gathered-basic.json, made by scripts/record-gathered.mjs).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnnotationsParams, BuildResult, HistoryResult } from '../../server/src/protocol';
import { LspClient, ROOT, type Message } from './client';

const FIXTURE = path.join(ROOT, 'test/fixtures/engine/recorded/gathered-basic.json');
const IMAGE = 'layer-insight-recorded/basic:1';
const TEXT = fs.readFileSync(path.join(ROOT, 'test/fixtures/engine/basic/Dockerfile'), 'utf8');
const RUN_LINE = TEXT.split('\n').findIndex((l) => l.startsWith('RUN dd')) + 1;
/** Longer than the publisher's sweep (250 ms): a second publish of a version would have arrived by then. */
const QUIET_MS = 800;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the stand-in engine as a child process; resolves once it listens. */
async function startFakeEngine(socket: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/fake-engine.mjs'), FIXTURE, socket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().startsWith('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fake engine exited (${code})`)));
  });
  return child;
}

describe('an image mapped to the open Dockerfile', () => {
  let dir: string;
  let engine: ChildProcess;
  let c: LspClient;
  let uri: string;
  const publishes = (version: number): Message[] =>
    c.notifications.filter(
      (m) =>
        m.method === 'textDocument/publishDiagnostics' &&
        (m.params as { uri: string; version?: number }).uri === uri &&
        (m.params as { version?: number }).version === version,
    );
  const annotationsOf = (version: number): AnnotationsParams | undefined =>
    c.notifications
      .filter((m) => m.method === 'layerInsight/annotations')
      .map((m) => m.params as AnnotationsParams)
      .filter((a) => a.uri === uri && a.version === version)
      .pop();

  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/server.js')), 'dist/server.js exists (run npm run build)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-mapped-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), TEXT);
    fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello from the fixture\n');
    const socket = path.join(dir, 'docker.sock');
    engine = await startFakeEngine(socket);
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${socket}`;
    try {
      c = new LspClient();
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    // as VS Code: inlay hints with refresh support (the server asks for a refresh when a document's facts change)
    await c.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: { publishDiagnostics: { versionSupport: true }, inlayHint: {} },
        workspace: { configuration: true, inlayHint: { refreshSupport: true } },
      },
      initializationOptions: { annotations: true },
    });
    c.notify('initialized', {});
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    c.open(uri, TEXT, 1);
    await c.waitForDiagnostics(uri, 1);
    const mapped = await c.request<BuildResult>('layerInsight/mapImage', { uri, image: IMAGE }, 20_000);
    assert.equal(mapped.ok, true, mapped.message);
    // the build context and git reads of the folder end before the edits are counted
    await sleep(QUIET_MS);
    assert.equal(annotationsOf(1)?.mode, 'measured', 'the mapped image gives measured sizes');
  });

  after(async () => {
    await c?.stop();
    if (engine?.pid) process.kill(engine.pid);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Edits the document; the inlay hint refreshes the server asked for meanwhile (the facts did not change: none). */
  const edit = async (version: number, text: string): Promise<number> => {
    const asked = c.serverRequests.length;
    c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    await c.waitForDiagnostics(uri, version);
    await sleep(QUIET_MS);
    return c.serverRequests.slice(asked).filter((m) => m.method === 'workspace/inlayHint/refresh').length;
  };

  test('an edit is published once, with the measured sizes moved to their new lines', async () => {
    const refreshes = await edit(2, `# a comment on top\n${TEXT}`);
    assert.equal(publishes(2).length, 1, 'one publishDiagnostics for the edit');
    assert.equal(refreshes, 0, 'an edit is no new fact: no inlay hint refresh');
    const a = annotationsOf(2);
    assert.equal(a?.mode, 'measured');
    const run = a?.steps.find((s) => s.line === RUN_LINE + 1);
    assert.equal(run?.size?.bytes, 250_000, 'the RUN layer measured on its shifted line');
    assert.equal(run?.size?.source, 'measured');
    const tree = await c.request<HistoryResult>('layerInsight/history', { uri });
    assert.equal(tree.image, IMAGE);
    assert.equal(tree.stages[0].layers.find((l) => l.bytes === 250_000)?.line, RUN_LINE + 1);
  });

  test('an edit the image no longer fits is published once, back to estimates, and the tree says why', async () => {
    const refreshes = await edit(3, TEXT.replace('EXPOSE 8080', 'EXPOSE 8080\nRUN echo added'));
    assert.equal(publishes(3).length, 1, 'one publishDiagnostics for the edit');
    assert.equal(refreshes, 0, 'an edit is no new fact: no inlay hint refresh');
    assert.equal(annotationsOf(3)?.mode, 'estimate');
    const tree = await c.request<HistoryResult>('layerInsight/history', { uri });
    assert.match(tree.reason ?? '', /not built from this|does not match/);
    // and back: the same text as the image again
    await edit(4, TEXT);
    assert.equal(publishes(4).length, 1, 'one publishDiagnostics for the edit');
    assert.equal(annotationsOf(4)?.mode, 'measured');
  });
});
