// The stdio writer's encoding of a large publishDiagnostics: the same bytes as the ordinary JSON encoding.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage } from '../../server/src/lsp/connection';

const diagnostic = (i: number, message: string) => ({
  range: { start: { line: i, character: 0 }, end: { line: i, character: 12 } }, severity: 3, source: 'layer-insight', code: 'rule', message,
});

test('a large publishDiagnostics encodes to exactly the bytes of its JSON, non-ASCII text included', () => {
  const diagnostics = Array.from({ length: 1000 }, (_, i) => diagnostic(i, i % 97 === 0 ? `saves ≈ ${i} MB — "quoted" \\ 🐳 数据` : `plain ${i}`));
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///home/zoë/Dockerfile', version: 7, diagnostics } };
  const bytes = encodeMessage(msg as never);
  assert.ok(bytes.equals(Buffer.from(JSON.stringify(msg), 'utf8')));
  assert.deepEqual(JSON.parse(bytes.toString('utf8')), msg);
});

test('small and other messages are the ordinary encoding', () => {
  for (const msg of [
    { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///x', diagnostics: [diagnostic(0, 'x')] } },
    { jsonrpc: '2.0', id: 3, result: { contents: { kind: 'markdown', value: '≈ 85 MB' } } },
  ]) assert.ok(encodeMessage(msg as never).equals(Buffer.from(JSON.stringify(msg), 'utf8')));
});
