// The language server's protocol edges over stdio (issue 12, points 2, 3 and 7): a malformed frame ends the process
// with a line on stderr (or, for a well-framed body that is not JSON, is skipped) instead of leaving it silent; the
// error codes of the LSP specification; a burst of 10,000 edits analysed for its last version only; and a failing
// analysis, handler or promise that leaves the server serving the other documents. Runs dist/server.js, and
// out/test/lsp/throwing-server.js (the compiled server with planted faults) for the failures no input causes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, ROOT, withTimeout, type Message } from './client';
import { REJECT_UNHANDLED, THROW_IN_ANALYSIS, THROW_IN_HOVER } from './throwing-server';

const FIXTURE = fs.readFileSync(path.join(ROOT, 'test/fixtures/typical.Dockerfile'), 'utf8');
const MISTAKES = fs.readFileSync(path.join(ROOT, 'test/fixtures/mistakes.Dockerfile'), 'utf8');
const SERVER = ['dist/server.js', '--stdio'];
const PLANTED = ['out/test/lsp/throwing-server.js', '--stdio'];

let counter = 0;
/** A document in a folder that does not exist (its build context reads nothing). */
const freshUri = () => `file:///tmp/layer-insight-protocol-edges/${process.pid}-${++counter}/Dockerfile`;

let nextRawId = 1_000_000;
/** Sends a request and resolves with the whole response (result or error), read from the client's stray responses. */
async function rawRequest(c: LspClient, method: string, params?: unknown, timeoutMs = 5000): Promise<Message> {
  const id = nextRawId++;
  c.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
  return withTimeout(
    (async () => {
      for (;;) {
        const m = c.strayResponses.find((r) => r.id === id);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 10));
      }
    })(),
    timeoutMs,
    `${method} (id ${id})`,
  );
}

const errorCode = async (c: LspClient, method: string, params?: unknown): Promise<number | undefined> =>
  (await rawRequest(c, method, params)).error?.code;

function exitOf(c: LspClient, timeoutMs: number): Promise<number | null> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return Promise.resolve(c.child.exitCode);
  return withTimeout(
    new Promise((resolve) => c.child.once('exit', (code) => resolve(code))),
    timeoutMs,
    'the server to exit',
  );
}

const hoverParams = (uri: string, line = 0, character = 0) => ({
  textDocument: { uri },
  position: { line, character },
});

describe('framing errors: the server exits with a message, or reads on; it never goes silent', () => {
  const fatal: [string, string | Buffer][] = [
    ['a header without Content-Length', 'Content-Type: application/vscode-jsonrpc\r\n\r\n{}'],
    ['a Content-Length that is not a number', 'Content-Length: twelve\r\n\r\n{}'],
    ['a negative Content-Length', 'Content-Length: -5\r\n\r\n{}'],
    ['a Content-Length with trailing garbage', 'Content-Length: 12abc\r\n\r\n{}'],
    ['a header line without a colon', 'this is not a header\r\n\r\n'],
    ['garbage bytes that never end a header', Buffer.alloc(20_000, 0x78)],
    ['binary garbage', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff))],
    ['a header announcing 2 GB', 'Content-Length: 2147483648\r\n\r\n{"jsonrpc":"2.0"'],
  ];
  for (const [name, bytes] of fatal) {
    test(`${name}: exit non-zero within 10 s, saying why on stderr`, { timeout: 30_000 }, async () => {
      const c = new LspClient(SERVER);
      try {
        await c.initialize();
        c.child.stdin.write(bytes);
        c.send({ jsonrpc: '2.0', id: 77, method: 'textDocument/hover', params: hoverParams('file:///x') });
        const code = await exitOf(c, 10_000);
        assert.notEqual(code, 0);
        assert.match(c.stderr, /cannot read the client's messages/);
      } finally {
        if (c.alive) c.child.kill('SIGKILL');
      }
    });
  }

  test(
    'a well-framed body that is not JSON (or not a message) is logged and skipped: the next request is answered',
    { timeout: 30_000 },
    async () => {
      const c = new LspClient(SERVER);
      try {
        await c.initialize();
        const logged = c.waitFor(
          (m) => m.method === 'window/logMessage' && /not JSON/.test((m.params as { message: string }).message),
          5000,
          'a log line about the skipped body',
        );
        for (const body of ['hello', '{"jsonrpc": "2.0", "id": 5, "method": ', '42', 'null', '[1, 2]', ''])
          c.writeRaw(body);
        assert.equal(await c.request('textDocument/hover', hoverParams('file:///x'), 5000), null);
        await logged;
        assert.ok(c.alive);
      } finally {
        await c.stop();
      }
    },
  );
});

describe('error codes of the LSP specification', () => {
  let c: LspClient;
  let uri: string;
  before(() => {
    c = new LspClient(SERVER);
  });
  after(async () => {
    if (c.alive) c.child.kill('SIGKILL');
  });

  test('before initialize: requests get ServerNotInitialized (-32002), notifications are dropped', async () => {
    assert.equal(await errorCode(c, 'textDocument/hover', hoverParams('file:///x')), -32002);
    assert.equal(await errorCode(c, 'layerInsight/noSuchMethod', {}), -32002);
    c.open('file:///tmp/before-initialize/Dockerfile', 'FROM alpine\n');
    await c.initialize();
    assert.equal(
      await c.request('textDocument/hover', hoverParams('file:///tmp/before-initialize/Dockerfile')),
      null,
      'the early didOpen was dropped',
    );
    assert.equal(
      await errorCode(c, 'initialize', { processId: null, rootUri: null, capabilities: {} }),
      -32600,
      'a second initialize',
    );
  });

  test('an unknown request gets MethodNotFound (-32601)', async () => {
    assert.equal(await errorCode(c, 'layerInsight/noSuchMethod', {}), -32601);
  });

  test('parameters that do not fit get InvalidParams (-32602)', async () => {
    uri = freshUri();
    const opened = c.waitForDiagnostics(uri, 1);
    c.open(uri, FIXTURE, 1);
    await opened;
    const range = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
    const cases: [string, unknown][] = [
      ['textDocument/hover', undefined],
      ['textDocument/hover', { position: { line: 0, character: 0 } }],
      ['textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 0 } }],
      ['textDocument/hover', { textDocument: { uri }, position: { line: 0.5, character: 0 } }],
      ['textDocument/hover', { textDocument: { uri }, position: { line: '1', character: 0 } }],
      ['textDocument/hover', { textDocument: { uri: 42 }, position: { line: 0, character: 0 } }],
      ['textDocument/codeAction', { textDocument: { uri }, context: { diagnostics: [] } }],
      [
        'textDocument/codeAction',
        {
          textDocument: { uri },
          range: { start: { line: 0, character: -3 }, end: range.end },
          context: { diagnostics: [] },
        },
      ],
      ['textDocument/inlayHint', { textDocument: { uri } }],
      ['textDocument/inlayHint', { range }],
      ['layerInsight/history', undefined],
      ['layerInsight/mapImage', { uri }],
      ['layerInsight/build', { uri: 7 }],
      ['layerInsight/build', { uri, builder: 'docker-in-docker' }],
    ];
    for (const [method, params] of cases) {
      assert.equal(await errorCode(c, method, params), -32602, `${method} ${JSON.stringify(params)}`);
    }
  });

  test('positions past the end and documents never opened are not errors: empty answers', async () => {
    assert.equal(await c.request('textDocument/hover', hoverParams(uri, 100_000, 100_000)), null);
    assert.equal(await c.request('textDocument/hover', hoverParams('file:///never/opened/Dockerfile')), null);
    const far = { start: { line: 90_000, character: 0 }, end: { line: 90_001, character: 0 } };
    assert.deepEqual(
      await c.request('textDocument/codeAction', { textDocument: { uri }, range: far, context: { diagnostics: [] } }),
      [],
    );
    assert.deepEqual(
      await c.request('textDocument/codeAction', {
        textDocument: { uri: 'file:///never/opened/Dockerfile' },
        range: far,
        context: { diagnostics: [] },
      }),
      [],
    );
  });

  test('a request cancelled while it waits is answered RequestCancelled (-32800)', async () => {
    const id = nextRawId++;
    // both in one write: the cancel is read while the request is still queued
    const frame = (m: unknown) => {
      const b = JSON.stringify(m);
      return `Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
    };
    c.child.stdin.write(
      frame({ jsonrpc: '2.0', id, method: 'textDocument/hover', params: hoverParams(uri, 5, 1) }) +
        frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }),
    );
    const reply = await withTimeout(
      (async () => {
        for (;;) {
          const m = c.strayResponses.find((r) => r.id === id);
          if (m) return m;
          await new Promise((r) => setTimeout(r, 10));
        }
      })(),
      5000,
      'the cancelled hover',
    );
    assert.equal(reply.error?.code, -32800);
  });

  test('invalid document notifications are dropped with a log line, and the document stays as it was', async () => {
    const logged = c.waitFor(
      (m) =>
        m.method === 'window/logMessage' &&
        /ignored textDocument\/didChange/.test((m.params as { message: string }).message),
      5000,
    );
    c.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: -3, character: 'a' } }, text: 5 }],
    });
    c.notify('textDocument/didOpen', { textDocument: { uri: 5, text: null } });
    await logged;
    const h = await c.request<{ contents: { value: string } } | null>(
      'textDocument/hover',
      hoverParams(
        uri,
        FIXTURE.split('\n').findIndex((l) => l.startsWith('FROM')),
        1,
      ),
    );
    assert.match(h?.contents.value ?? '', /\*\*FROM\*\*/);
  });

  test('after shutdown: requests get InvalidRequest (-32600); exit then ends the process with 0', async () => {
    assert.equal((await rawRequest(c, 'shutdown')).error, undefined);
    assert.equal(await errorCode(c, 'textDocument/hover', hoverParams(uri)), -32600);
    c.notify('exit', null);
    assert.equal(await exitOf(c, 5000), 0);
  });
});

describe('a burst of 10,000 edits', () => {
  test(
    'is analysed for its last version: its diagnostics arrive, few versions in between are published, memory stays bounded, hover answers',
    { timeout: 120_000 },
    async () => {
      const c = new LspClient(SERVER);
      try {
        await c.initialize();
        const uri = freshUri();
        const opened = c.waitForDiagnostics(uri, 1);
        c.open(uri, FIXTURE, 1);
        await opened;
        const lines = FIXTURE.split('\n');
        const runLine = lines.findIndex((l) => l.startsWith('RUN '));
        const start = lines[runLine].length;
        const edits = 10_000;
        const frames: string[] = [];
        for (let i = 0; i < edits; i++) {
          const at = { line: runLine, character: start + i };
          const body = JSON.stringify({
            jsonrpc: '2.0',
            method: 'textDocument/didChange',
            params: {
              textDocument: { uri, version: i + 2 },
              contentChanges: [{ range: { start: at, end: at }, text: i % 10 === 9 ? ' ' : 'y' }],
            },
          });
          frames.push(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        }
        const before = c.notifications.length;
        const final = c.waitForDiagnostics(uri, edits + 1, 90_000);
        c.child.stdin.write(frames.join(''));
        const d = await final;
        assert.equal(d.version, edits + 1);
        const published = c.notifications
          .slice(before)
          .filter(
            (m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri,
          ).length;
        // the old server analysed and published all 10,000 versions
        assert.ok(published <= 100, `${published} publishes for ${edits} edits`);
        const h = await c.request<{ contents: { value: string } } | null>(
          'textDocument/hover',
          hoverParams(uri, runLine, 1),
          5000,
        );
        assert.match(h?.contents.value ?? '', /\*\*RUN\*\*/);
        const status = `/proc/${c.child.pid}/status`;
        if (fs.existsSync(status)) {
          const peakMB = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(status, 'utf8'))?.[1] ?? 0) / 1024;
          // ~70 MB here; the old server peaked near 280 MB analysing every version
          assert.ok(peakMB < 200, `peak RSS ${peakMB.toFixed(0)} MB`);
        }
      } finally {
        await c.stop();
      }
    },
  );
});

describe('one bad document never ends the server', () => {
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(path.join(ROOT, PLANTED[0])), `${PLANTED[0]} exists (run npm run compile-tests)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-protocol-edges-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * A Dockerfile in a folder of its own that exists: its build context is read, then it is analysed again (in a promise
   * callback).
   */
  const onDisk = (name: string, text: string): string => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'Dockerfile'), text);
    fs.writeFileSync(path.join(folder, 'package.json'), '{}');
    return `file://${folder}/Dockerfile`;
  };
  const logLine = (c: LspClient, pattern: RegExp) =>
    c.waitFor(
      (m) => m.method === 'window/logMessage' && pattern.test((m.params as { message: string }).message),
      10_000,
      `a log line matching ${pattern}`,
    );

  test(
    'an analysis that throws: empty results and a log line for that document; the others are served',
    { timeout: 60_000 },
    async () => {
      const c = new LspClient(PLANTED);
      try {
        await c.initialize();
        const bad = onDisk('throws', `FROM alpine\n# ${THROW_IN_ANALYSIS}\nRUN echo hi\n`);
        const good = onDisk('good', MISTAKES);
        const logged = logLine(c, /analysis of .*throws\/Dockerfile.*failed.*planted analysis failure/s);
        const badDiagnostics = c.waitForDiagnostics(bad, 1);
        c.open(bad, fs.readFileSync(new URL(bad), 'utf8'));
        assert.deepEqual((await badDiagnostics).diagnostics, []);
        await logged;
        assert.equal(await c.request('textDocument/hover', hoverParams(bad, 2, 1)), null);
        assert.deepEqual(
          await c.request('textDocument/codeAction', {
            textDocument: { uri: bad },
            range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } },
            context: { diagnostics: [] },
          }),
          [],
        );
        const goodDiagnostics = c.waitForDiagnostics(good, 1);
        c.open(good, MISTAKES);
        assert.ok((await goodDiagnostics).diagnostics.length > 0);
        // the build contexts load and both documents are analysed again from a promise callback
        await new Promise((r) => setTimeout(r, 1500));
        assert.ok(c.alive, 'the server is still running');
        const h = await c.request<{ contents: { value: string } } | null>(
          'textDocument/hover',
          hoverParams(
            good,
            MISTAKES.split('\n').findIndex((l) => l.startsWith('FROM')),
            1,
          ),
        );
        assert.match(h?.contents.value ?? '', /\*\*FROM\*\*/);
      } finally {
        await c.stop();
      }
    },
  );

  test('a promise rejected with nothing to handle it is logged; the server goes on', { timeout: 60_000 }, async () => {
    const c = new LspClient(PLANTED);
    try {
      await c.initialize();
      const uri = onDisk('rejects', `FROM alpine\n# ${REJECT_UNHANDLED}\nRUN echo hi\n`);
      const logged = logLine(c, /a promise was rejected and nothing handled it.*planted unhandled rejection/s);
      c.open(uri, fs.readFileSync(new URL(uri), 'utf8'));
      await logged;
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(c.alive, 'the server is still running');
      const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', hoverParams(uri, 2, 1));
      assert.match(h?.contents.value ?? '', /\*\*RUN\*\*/);
    } finally {
      await c.stop();
    }
  });

  test(
    'a handler that throws: an InternalError (-32603) response and a log line; the next request is answered',
    { timeout: 60_000 },
    async () => {
      const c = new LspClient(PLANTED);
      try {
        await c.initialize();
        const uri = freshUri();
        const opened = c.waitForDiagnostics(uri, 1);
        c.open(uri, `FROM alpine\n# ${THROW_IN_HOVER}\nRUN echo hi\n`);
        await opened;
        const logged = logLine(c, /textDocument\/hover failed.*planted hover failure/s);
        assert.equal(await errorCode(c, 'textDocument/hover', hoverParams(uri, 2, 1)), -32603);
        await logged;
        assert.ok(
          Array.isArray(
            await c.request('textDocument/inlayHint', {
              textDocument: { uri },
              range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } },
            }),
          ),
        );
        assert.ok(c.alive);
      } finally {
        await c.stop();
      }
    },
  );

  test(
    'inputs that used to crash the process (in a folder on disk, so a promise callback analyses them again) leave it serving',
    { timeout: 60_000 },
    async () => {
      const c = new LspClient(SERVER);
      try {
        await c.initialize();
        const nested = `FROM alpine\nENV X=${'${a:-'.repeat(5000)}x${'}'.repeat(5000)}\nRUN echo hi\n`;
        const uris = [onDisk('class', 'FROM alpine\nCOPY [z-a] /x\n'), onDisk('nested', nested)];
        for (const [i, uri] of uris.entries()) c.open(uri, i === 0 ? 'FROM alpine\nCOPY [z-a] /x\n' : nested);
        const good = freshUri();
        const published = c.waitForDiagnostics(good, 1);
        c.open(good, FIXTURE);
        await published;
        await new Promise((r) => setTimeout(r, 2000));
        assert.ok(c.alive, `the server is still running (stderr: ${c.stderr.slice(0, 300)})`);
        const h = await c.request<{ contents: { value: string } } | null>(
          'textDocument/hover',
          hoverParams(
            good,
            FIXTURE.split('\n').findIndex((l) => l.startsWith('FROM')),
            1,
          ),
        );
        assert.match(h?.contents.value ?? '', /\*\*FROM\*\*/);
      } finally {
        await c.stop();
      }
    },
  );
});
