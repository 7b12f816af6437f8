// The Docker engine libraries (dockerode and what it pulls in: ssh2, @grpc/grpc-js, protobufjs, ~half of the
// bundle) are evaluated only when an engine is there to talk to: a server or a CLI run without an engine must not
// pay for them. In a bundle there is no require.cache to look at, so a preload (`node --require`) records every
// id the process passes to require: the bundle keeps Node built-ins and native add-ons as real require calls, made
// when the package that needs them is evaluated, wherever it is bundled (dist/engine-libs.js today). `http2` is
// only required by @grpc/grpc-js and `cpu-features` only by ssh2; a control run against a socket that exists shows
// that these markers do appear once dockerode is loaded.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineStateNotification, EngineStateRequest } from '../../server/src/protocol';
import { LspClient, ROOT } from './client';

const ENGINE_MARKERS = ['http2', 'cpu-features'];

const HOOK = `
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const seen = new Set();
const original = Module.prototype.require;
Module.prototype.require = function (id) {
  seen.add(String(id));
  return original.apply(this, arguments);
};
process.on('exit', () => {
  fs.writeFileSync(path.join(__dirname, 'requires-' + process.pid + '.json'), JSON.stringify([...seen]));
});
`;

describe('the engine libraries load only when an engine is there', () => {
  let dir: string;
  let hook: string;
  before(() => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/server.js')), 'dist/server.js exists (run npm run build)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-lazy-engine-'));
    hook = path.join(dir, 'hook.js');
    fs.writeFileSync(hook, HOOK);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const requiresOf = (pid: number | undefined): string[] => {
    const file = path.join(dir, `requires-${pid}.json`);
    assert.ok(fs.existsSync(file), `the preload recorded the requires of process ${pid}`);
    return JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  };
  const engineLoaded = (ids: string[]): string[] => ENGINE_MARKERS.filter((m) => ids.includes(m));
  const stateIs = (c: LspClient, status: string) =>
    c.notified(EngineStateNotification, (s) => s.status === status, 30_000, `engine state ${status}`);

  test(
    'language server: engine off, then auto with no engine at the configured socket, a document analysed',
    { timeout: 90_000 },
    async () => {
      const sock = path.join(dir, 'no-engine.sock');
      const c = new LspClient(['--require', hook, 'dist/server.js', '--stdio']);
      try {
        const disabled = stateIs(c, 'disabled');
        await c.initialize({ settings: { engine: { mode: 'off', host: `unix://${sock}` }, trusted: true } });
        await disabled;
        const none = stateIs(c, 'none');
        c.notify('workspace/didChangeConfiguration', {
          settings: { layerInsight: { engine: { mode: 'auto', host: `unix://${sock}` } } },
        });
        // the text the client shows is the one a failed connection gives
        assert.equal((await none).message, `estimates only: no Docker engine at unix://${sock} (ENOENT)`);
        const uri = 'file:///tmp/li-lazy-engine/Dockerfile';
        const diags = c.waitForDiagnostics(uri);
        c.open(uri, 'FROM node:20\nCOPY . /app\nRUN npm ci\n');
        await diags;
        const again = await c.call(EngineStateRequest, 10_000);
        assert.equal(again.status, 'none');
      } finally {
        await c.stop();
      }
      const ids = requiresOf(c.child.pid);
      assert.ok(ids.includes('net'), 'the preload saw the server start (vscode-jsonrpc requires net)');
      assert.deepEqual(engineLoaded(ids), [], 'no engine library was evaluated');
    },
  );

  test(
    'CLI: --engine auto with no engine, and the default (off), do not evaluate the engine libraries',
    { timeout: 120_000 },
    () => {
      for (const engine of ['auto', 'off']) {
        const r = spawnSync(
          process.execPath,
          [
            '--require',
            hook,
            'dist/cli.js',
            'analyze',
            '--engine',
            engine,
            '--format',
            'json',
            'test/fixtures/typical.Dockerfile',
          ],
          {
            cwd: ROOT,
            encoding: 'utf8',
            timeout: 100_000,
            env: { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'no-engine.sock')}` },
          },
        );
        assert.equal(r.status, 0, r.stderr);
        if (engine === 'auto')
          assert.match(r.stderr, /no Docker engine at unix:\/\/.*no-engine\.sock \(ENOENT\); showing estimates/);
        assert.deepEqual(engineLoaded(requiresOf(r.pid)), [], `--engine ${engine}: no engine library was evaluated`);
      }
    },
  );

  test(
    'control: with a socket that exists, dockerode is loaded to talk to it, and the markers show it',
    { timeout: 90_000 },
    async () => {
      const sock = path.join(dir, 'fake-engine.sock');
      // not an engine: accepts and hangs up, so the probe ends as "none" after a real connection attempt
      const server = net.createServer((s) => s.destroy());
      await new Promise<void>((resolve) => server.listen(sock, resolve));
      const c = new LspClient(['--require', hook, 'dist/server.js', '--stdio']);
      try {
        const none = stateIs(c, 'none');
        await c.initialize({ settings: { engine: { mode: 'auto', host: `unix://${sock}` }, trusted: true } });
        assert.match((await none).message, new RegExp(`at unix://${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      } finally {
        await c.stop();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      assert.deepEqual(engineLoaded(requiresOf(c.child.pid)), ENGINE_MARKERS);
    },
  );
});
