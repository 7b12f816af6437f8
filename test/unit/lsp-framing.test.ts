// The strict stdio reader (server/src/lsp/framing.ts): frames split anywhere are read whole and in order; a frame
// it cannot follow is a FramingError (the process then exits), a body that is not a JSON object a MessageParseError
// (the next frame is read as usual).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FramingError, MessageParseError, StrictStreamReader } from '../../server/src/lsp/framing';

const frame = (body: string): Buffer =>
  Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);

function reader(limits?: { headerBytes: number; messageBytes: number }) {
  const stream = new PassThrough();
  const r = new StrictStreamReader(stream, limits);
  const messages: unknown[] = [];
  const errors: Error[] = [];
  r.onError((e) => errors.push(e));
  r.listen((m) => messages.push(m));
  return { stream, messages, errors };
}

const tick = () => new Promise((r) => setImmediate(r));

test('messages split at every byte, several in one chunk, empty and large bodies: each read once, in order', async () => {
  const { stream, messages, errors } = reader();
  const msgs = [
    { jsonrpc: '2.0', id: 1, method: 'a', params: { text: 'zoë 🐳' } },
    { jsonrpc: '2.0', method: 'b' },
  ];
  const bytes = Buffer.concat(msgs.map((m) => frame(JSON.stringify(m))));
  for (const b of bytes) stream.write(Buffer.from([b]));
  stream.write(
    Buffer.concat([
      bytes,
      Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n'),
      frame('{"x":1}'),
    ]),
  );
  const big = { jsonrpc: '2.0', method: 'c', params: { text: 'x'.repeat(300_000) } };
  const bigBytes = frame(JSON.stringify(big));
  for (let i = 0; i < bigBytes.length; i += 4096) stream.write(bigBytes.subarray(i, i + 4096));
  await tick();
  assert.deepEqual(messages, [...msgs, ...msgs, { x: 1 }, big]);
  assert.deepEqual(errors, []);
});

test('a body that is not a JSON object is a MessageParseError and the next frame is read', async () => {
  const { stream, messages, errors } = reader();
  stream.write(Buffer.concat([frame('not json'), frame('[1]'), frame(''), frame('{"ok":true}')]));
  await tick();
  assert.deepEqual(messages, [{ ok: true }]);
  assert.equal(errors.length, 3);
  assert.ok(errors.every((e) => e instanceof MessageParseError));
});

for (const [name, bytes] of [
  ['no Content-Length', 'X-Other: 1\r\n\r\n{}'],
  ['a negative length', 'Content-Length: -1\r\n\r\n{}'],
  ['a length with garbage', 'Content-Length: 1e3\r\n\r\n{}'],
  ['a line without a colon', 'hello\r\n\r\n'],
  ['a length over the limit', 'Content-Length: 1001\r\n\r\n'],
  ['no end of header within the limit', 'x'.repeat(300)],
] as const) {
  test(`${name}: one FramingError, and nothing read after it`, async () => {
    const { stream, messages, errors } = reader({ headerBytes: 256, messageBytes: 1000 });
    stream.write(Buffer.concat([frame('{"first":1}'), Buffer.from(bytes), frame('{"after":1}')]));
    await tick();
    assert.deepEqual(messages, [{ first: 1 }]);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof FramingError, String(errors[0]));
  });
}
