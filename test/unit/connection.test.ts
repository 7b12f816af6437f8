// The stdio writer's encoding: every message parses back to itself, and its bytes are ASCII (a client decodes one-byte
// text faster); a message that is ASCII already is exactly its JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage } from '../../server/src/lsp/connection';

const diagnostic = (i: number, message: string) => ({
  range: { start: { line: i, character: 0 }, end: { line: i, character: 12 } },
  severity: 3,
  source: 'layer-insight',
  code: 'rule',
  message,
});

const isAscii = (bytes: Buffer): boolean => bytes.every((b) => b < 0x80);

test('a large publishDiagnostics with non-ASCII text encodes to ASCII bytes that parse back to the same message', () => {
  const diagnostics = Array.from({ length: 1000 }, (_, i) =>
    diagnostic(i, i % 97 === 0 ? `saves ≈ ${i} MB — "quoted" \\ 🐳 数据 \u0007` : `plain ${i}`),
  );
  const msg = {
    jsonrpc: '2.0',
    method: 'textDocument/publishDiagnostics',
    params: { uri: 'file:///home/zoë/Dockerfile', version: 7, diagnostics },
  };
  const bytes = encodeMessage(msg as never);
  assert.ok(isAscii(bytes));
  assert.deepEqual(JSON.parse(bytes.toString('utf8')), msg);
  assert.match(
    bytes.toString('latin1'),
    /saves \\u2248 0 MB \\u2014 \\"quoted\\" \\\\ \\ud83d\\udc33 \\u6570\\u636e \\u0007/,
  );
});

test('small and other messages: the ordinary JSON when ASCII, escaped and equal when not', () => {
  const small = {
    jsonrpc: '2.0',
    method: 'textDocument/publishDiagnostics',
    params: { uri: 'file:///x', diagnostics: [diagnostic(0, 'x')] },
  };
  assert.ok(encodeMessage(small as never).equals(Buffer.from(JSON.stringify(small), 'utf8')));
  const hover = {
    jsonrpc: '2.0',
    id: 3,
    result: { contents: { kind: 'markdown', value: '≈ 85 MB, a lone \ud800 half' } },
  };
  const bytes = encodeMessage(hover as never);
  assert.ok(isAscii(bytes));
  assert.deepEqual(JSON.parse(bytes.toString('utf8')), hover);
});
