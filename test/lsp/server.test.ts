// The language server over stdio, as any editor sees it: diagnostics on open/change/close, hover, inlay hints,
// code actions, and survival of garbage input. Runs the bundled server (dist/server.js; `npm test` builds it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { AnnotationsNotification } from '../../server/src/protocol';
import { LspClient, ROOT, type Diagnostic, type Range } from './client';

const FIXTURE = fs.readFileSync(path.join(ROOT, 'test/fixtures/typical.Dockerfile'), 'utf8');
const MISTAKES = fs.readFileSync(path.join(ROOT, 'test/fixtures/mistakes.Dockerfile'), 'utf8');

interface Hover {
  contents: { kind: string; value: string };
  range?: Range;
}
interface InlayHint {
  position: { line: number; character: number };
  label: string | unknown[];
  tooltip?: unknown;
}
interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  edit?: { changes?: Record<string, { range: Range; newText: string }[]> };
}

let uriCounter = 0;
const freshUri = (name = 'Dockerfile') => `file:///tmp/layer-insight-lsp-test/${++uriCounter}/${name}`;

describe('language server over stdio', () => {
  let c: LspClient;
  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/server.js')), 'dist/server.js exists (run npm run build)');
    c = new LspClient();
  });
  after(async () => c.stop());

  test('initialize announces the features we answer', async () => {
    const r = await c.initialize();
    assert.equal(r.serverInfo?.name, 'layer-insight');
    const caps = r.capabilities;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.inlayHintProvider, true);
    assert.ok(caps.codeActionProvider);
    assert.deepEqual(
      caps.textDocumentSync,
      { openClose: true, change: 2, save: { includeText: false } },
      'incremental sync, and saves (the forecast reads the files again)',
    );
  });

  test('diagnostics are published on open, with the document version, source and rule ids', async () => {
    const uri = freshUri();
    const published = c.waitForDiagnostics(uri);
    c.open(uri, MISTAKES, 7);
    const d = await published;
    assert.equal(d.version, 7);
    const expected = analyze(MISTAKES).findings;
    assert.equal(d.diagnostics.length, expected.length, 'one diagnostic per finding of the analysis');
    for (const [i, diag] of d.diagnostics.entries()) {
      assert.equal(diag.source, 'layer-insight');
      assert.equal(diag.code, expected[i].rule);
      assert.equal(diag.range.start.line, expected[i].line - 1);
      assert.ok(diag.message.startsWith(expected[i].message));
    }
  });

  test('an edit republishes for the new version and the server reads incremental changes correctly', async () => {
    const uri = freshUri();
    const first = c.waitForDiagnostics(uri, 1);
    c.open(uri, 'FROM alpine\nRUN echo one\n', 1);
    await first;
    // insert a line through an incremental change, then replace a word inside a line
    let next = c.waitForDiagnostics(uri, 2);
    c.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
          text: 'WORKDIR /srv\nCOPY . .\n',
        },
      ],
    });
    await next;
    next = c.waitForDiagnostics(uri, 3);
    c.notify('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }, text: 'run' }],
    });
    const d3 = await next;
    assert.equal(d3.version, 3);
    const copy = await c.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 3, character: 2 },
    });
    assert.ok(copy, 'hover on the inserted COPY');
    assert.match(copy.contents.value, /\*\*COPY\*\*/);
    const run = await c.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 1, character: 1 },
    });
    assert.match(run?.contents.value ?? '', /\*\*RUN\*\*/, 'lowercase run after the edit is still RUN');
  });

  test('hover on a step returns markdown naming the instruction and its stage; none on blank lines', async () => {
    const uri = freshUri();
    const published = c.waitForDiagnostics(uri);
    c.open(uri, FIXTURE);
    await published;
    const lines = FIXTURE.split('\n');
    const hoverAt = (line: number) =>
      c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } });

    const copyLine = lines.findIndex((l) => l.startsWith('COPY --from=deps'));
    const h = await hoverAt(copyLine);
    assert.ok(h);
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /^\*\*COPY\*\* · stage runtime/);
    assert.match(h.contents.value, /Cache risk/);
    assert.equal(h.range?.start.line, copyLine);

    // a continuation line and a heredoc body line belong to their instruction
    const contLine = lines.findIndex((l) => l.includes('npm ci --omit=dev'));
    assert.match(
      (await hoverAt(contLine))?.contents.value ?? '',
      /^\*\*RUN\*\* · stage deps \(not in the final image\)/,
    );
    const heredocLine = lines.findIndex((l) => l.startsWith('mkdir -p'));
    assert.match((await hoverAt(heredocLine))?.contents.value ?? '', /^\*\*RUN\*\*/);
    // metadata-only instructions say so
    assert.match(
      (await hoverAt(lines.findIndex((l) => l.startsWith('EXPOSE'))))?.contents.value ?? '',
      /only changes the image metadata/,
    );

    assert.equal(await hoverAt(lines.indexOf('')), null, 'blank line');
    assert.equal(await hoverAt(1), null, 'comment line');
    assert.equal(await hoverAt(10_000), null, 'past the end');
  });

  test('inlay hints: one per step inside stages that has a size or a cache risk to show, at the end of its first line, within the range asked', async () => {
    const uri = freshUri();
    const published = c.waitForDiagnostics(uri);
    c.open(uri, FIXTURE);
    await published;
    const lines = FIXTURE.split('\n');
    const all = await c.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
    });
    const model = analyze(FIXTURE).model;
    // FROM, WORKDIR and the layer steps; the instructions that only set metadata (ARG, ENV, USER, EXPOSE,
    // HEALTHCHECK, ENTRYPOINT, CMD) cost nothing on a re-run and get no hint
    const shown = new Set(['FROM', 'WORKDIR', 'COPY', 'RUN']);
    const stepLines = model.steps.filter((s) => s.stage >= 0 && shown.has(s.keyword)).map((s) => s.line - 1);
    assert.deepEqual(
      all.map((h) => h.position.line),
      stepLines,
    );
    const metadata = model.steps.filter((s) => s.stage >= 0 && !shown.has(s.keyword));
    assert.deepEqual(
      metadata.map((s) => s.keyword),
      ['ARG', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'],
    );
    for (const h of all) {
      assert.equal(h.position.character, lines[h.position.line].length);
      assert.equal(typeof h.label, 'string');
      assert.match(h.label as string, /cache (low|medium|high)/);
    }
    const some = await c.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 5, character: 0 }, end: { line: 9, character: 0 } },
    });
    assert.deepEqual(
      some.map((h) => h.position.line),
      stepLines.filter((l) => l >= 5 && l <= 9),
    );
  });

  test('code actions carry the fixes of the findings under the range, as workspace edits on the document', async () => {
    const uri = freshUri();
    const published = c.waitForDiagnostics(uri);
    c.open(uri, MISTAKES);
    const d = await published;
    const findings = analyze(MISTAKES).findings;
    const whole = { start: { line: 0, character: 0 }, end: { line: MISTAKES.split('\n').length, character: 0 } };
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: whole,
      context: { diagnostics: d.diagnostics },
    });
    assert.equal(
      actions.length,
      findings.reduce((n, f) => n + f.fixes.length, 0),
    );
    for (const a of actions) {
      assert.equal(a.kind, 'quickfix');
      assert.ok(a.edit?.changes?.[uri]?.length, `${a.title} edits the document`);
      assert.equal(a.diagnostics?.[0].source, 'layer-insight');
    }
    // nothing on a line without findings
    const quietLine = MISTAKES.split('\n').findIndex(
      (l, i) => l.startsWith('#') && !findings.some((f) => f.line - 1 <= i && i <= f.endLine - 1),
    );
    const none = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: quietLine, character: 0 }, end: { line: quietLine, character: 1 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(none, []);
  });

  test('closing a document clears its diagnostics', async () => {
    const uri = freshUri();
    const opened = c.waitForDiagnostics(uri);
    c.open(uri, MISTAKES);
    await opened;
    // (a re-publish for facts loaded after the open may still be in flight: wait for the empty one)
    const cleared = c.waitFor(
      (m) =>
        m.method === 'textDocument/publishDiagnostics' &&
        (m.params as { uri: string }).uri === uri &&
        (m.params as { diagnostics: unknown[] }).diagnostics.length === 0,
      30_000,
      'empty diagnostics',
    );
    c.notify('textDocument/didClose', { textDocument: { uri } });
    await cleared;
    const after = c.notifications.length;
    await new Promise((r) => setTimeout(r, 500));
    const later = c.notifications
      .slice(after)
      .filter((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri);
    assert.deepEqual(later, [], 'nothing is published for a closed document');
    assert.equal(
      await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }),
      null,
    );
  });

  test('garbage in: broken JSON, unknown methods, bad params and random text; the server keeps answering quickly', async () => {
    c.writeRaw('{"jsonrpc": "2.0", "id": 999, "method": ');
    c.writeRaw('this is not json at all');
    await assert.rejects(c.request('layerInsight/noSuchMethod', {}), /failed/);
    await assert.rejects(c.request('textDocument/hover', { nonsense: true }), /failed/);
    assert.equal(
      await c.request('textDocument/hover', {
        textDocument: { uri: 'file:///never/opened' },
        position: { line: 0, character: 0 },
      }),
      null,
    );

    const uri = freshUri();
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let junk = '';
    for (let i = 0; i < 20_000; i++) junk += String.fromCharCode(Math.floor(rnd() * 0x3000));
    junk += '\nRUN <<EOF\nFROM x\n\\\n`\n${{{{\n';
    const published = c.waitForDiagnostics(uri, 1);
    c.open(uri, junk, 1);
    await published;
    // each request must be answered (2 s limit per request catches a hang); latency is measured by `npm run bench`
    for (let i = 0; i < 20; i++) {
      await c.request(
        'textDocument/hover',
        { textDocument: { uri }, position: { line: i * 3, character: i * 50 } },
        2000,
      );
      await c.request(
        'textDocument/inlayHint',
        { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } } },
        2000,
      );
    }
    assert.ok(c.alive, 'server still running');
    assert.doesNotMatch(c.stderr, /TypeError|RangeError|ReferenceError/);
  });
});

describe('annotations and the CLI entry', () => {
  test('with annotations enabled the server sends per-step annotations with each publish', async () => {
    const c = new LspClient();
    try {
      await c.initialize({ annotations: true });
      const uri = freshUri();
      const ann = c.notified(AnnotationsNotification, (p) => p.uri === uri);
      c.open(uri, FIXTURE, 3);
      const p = await ann;
      assert.equal(p.version, 3);
      assert.equal(p.mode, 'estimate');
      const model = analyze(FIXTURE).model;
      assert.deepEqual(
        p.steps.map((s) => [s.line, s.instruction]),
        model.steps.filter((s) => s.stage >= 0).map((s) => [s.line, s.keyword]),
      );
    } finally {
      await c.stop();
    }
  });

  // one server per process: the CLI bundle used to start a second one, which answered every request again and, with
  // two writers on one stdout, cut a large diagnostics message into bytes no client can read
  for (const args of [
    ['dist/server.js', '--stdio'],
    ['dist/cli.js', 'lsp', '--stdio'],
  ]) {
    test(`\`${args.join(' ')}\` answers each message once, and a 3,000-line file's diagnostics arrive whole`, async () => {
      const c = new LspClient(args);
      try {
        await c.initialize();
        const uri = freshUri();
        const lines = ['FROM debian:12'];
        for (let i = 0; i < 3000; i++)
          lines.push(i % 2 ? `COPY src${i} /app/${i}` : `RUN apt-get update && apt-get install -y curl${i}`);
        const published = c.waitForDiagnostics(uri, 1);
        c.open(uri, lines.join('\n'));
        const d = await published;
        // over 3,000 findings: 999 of them and a notice of the others (VS Code shows no more than 1,000 per file)
        const findings = analyze(lines.join('\n')).findings.length;
        assert.ok(findings > 3000, `${findings} findings`);
        assert.equal(d.diagnostics.length, 1000, `${d.diagnostics.length} diagnostics`);
        const notice = d.diagnostics[999] as { code: string; message: string };
        assert.equal(notice.code, 'more-findings');
        assert.ok(
          notice.message.startsWith(`${(findings - 999).toLocaleString('en-US')} more findings are not shown`),
          notice.message,
        );
        await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } });
        // a line whose diagnostic was not sent still gets its quick fixes
        const actions = (await c.request('textDocument/codeAction', {
          textDocument: { uri },
          range: { start: { line: 2999, character: 0 }, end: { line: 2999, character: 0 } },
          context: { diagnostics: [] },
        })) as { title: string }[];
        assert.ok(
          actions.some((a) => /--no-install-recommends/.test(a.title)),
          JSON.stringify(actions.map((a) => a.title)),
        );
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(c.unreadable, []);
        assert.deepEqual(c.strayResponses, []);
      } finally {
        await c.stop();
      }
    });
  }

  test('`layer-insight lsp --stdio` starts the same server', async () => {
    const c = new LspClient(['dist/cli.js', 'lsp', '--stdio']);
    try {
      const r = await c.initialize();
      assert.equal(r.serverInfo?.name, 'layer-insight');
      const uri = freshUri();
      const published = c.waitForDiagnostics(uri);
      c.open(uri, FIXTURE);
      assert.equal((await published).version, 1);
    } finally {
      await c.stop();
    }
  });
});
