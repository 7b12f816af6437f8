// The stdio writer's JSON: ASCII on the wire, the same message after decoding, whatever the text holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiJson } from '../../server/src/lsp/connection';

test('messages with non-ASCII text are written as ASCII JSON that decodes to the same message', () => {
  const msg = {
    jsonrpc: '2.0',
    method: 'textDocument/publishDiagnostics',
    params: {
      uri: 'file:///home/zoë/app/Dockerfile',
      diagnostics: [
        { message: 'node:20 (≈ 1167 MB) has smaller variants — node:20-slim', code: 'smaller-base-candidate' },
        { message: 'COPY 数据/ 🐳 "quoted" \\ back\nslash\u2028line', code: 'x' },
      ],
    },
  };
  const out = asciiJson(msg);
  assert.match(out, /^[\x00-\x7f]*$/, 'only ASCII characters');
  assert.deepEqual(JSON.parse(out), msg);
  assert.equal(Buffer.from(out, 'latin1').toString('utf8'), out, 'latin1 and UTF-8 bytes agree for ASCII');
});

test('plain ASCII messages are the ordinary JSON text', () => {
  const msg = { a: 'plain', b: [1, 2, { c: null }] };
  assert.equal(asciiJson(msg), JSON.stringify(msg));
});
