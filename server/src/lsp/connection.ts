// The LSP connection, as vscode-languageserver makes it from the command line (--stdio, --node-ipc, --socket,
// --pipe), with one change for --stdio: a large publishDiagnostics is serialised one diagnostic at a time.
//
// Why: the default writer makes one JSON string of the whole message and encodes it to UTF-8. On a 5,000-line file
// that string is 1.2 MB, and a single non-ASCII character in one of its 3,000 messages ("≈ 829 MB") makes all of it
// a two-byte string: 2.4 MB allocated straight into the old generation on every keystroke, and ~15 ms to encode.
// Small per-diagnostic strings are mostly one-byte, die young, and encode fast; the bytes are the same JSON.

import { format } from 'node:util';
import {
  createConnection, ProposedFeatures, StreamMessageWriter, type Connection, type Message, type MessageReader,
} from 'vscode-languageserver/node';

/** Below this many diagnostics the ordinary encoding is as good. */
const SPLIT_FROM = 256;

/** The UTF-8 bytes of a JSON-RPC message, equal to Buffer.from(JSON.stringify(msg)). */
export function encodeMessage(msg: Message): Buffer {
  const m = msg as { method?: string; params?: { diagnostics?: unknown[] } };
  const list = m.method === 'textDocument/publishDiagnostics' ? m.params?.diagnostics : undefined;
  if (!Array.isArray(list) || list.length < SPLIT_FROM) return Buffer.from(JSON.stringify(msg), 'utf8');
  // the message with a marker where the list goes, split there into head and tail
  const shell = JSON.stringify({ ...m, params: { ...m.params, diagnostics: MARKER } });
  const at = shell.indexOf(QUOTED_MARKER);
  const parts: Buffer[] = [Buffer.from(`${shell.slice(0, at)}[`, 'utf8')];
  for (let i = 0; i < list.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(encodedItem(list[i]));
  }
  parts.push(Buffer.from(`]${shell.slice(at + QUOTED_MARKER.length)}`, 'utf8'));
  return Buffer.concat(parts);
}

const MARKER = '\u0000layer-insight-diagnostics\u0000';
const QUOTED_MARKER = JSON.stringify(MARKER);
const COMMA = Buffer.from(',');
/** Diagnostics are never changed once made; one kept from the previous version keeps its bytes too. */
const encoded = new WeakMap<object, Buffer>();

function encodedItem(item: unknown): Buffer {
  if (typeof item !== 'object' || item === null) return Buffer.from(JSON.stringify(item) ?? 'null', 'utf8');
  let bytes = encoded.get(item);
  if (!bytes) encoded.set(item, (bytes = Buffer.from(JSON.stringify(item), 'utf8')));
  return bytes;
}

export function createServerConnection(argv: readonly string[] = process.argv): Connection {
  if (!argv.slice(2).includes('--stdio')) return createConnection(ProposedFeatures.all);
  const writer = new StreamMessageWriter(process.stdout, {
    charset: 'utf-8',
    contentTypeEncoder: { name: 'application/json', encode: (msg) => Promise.resolve(encodeMessage(msg)) },
  });
  // process.stdin as the input keeps the library's exit when the editor closes the pipe
  // (the typings pair streams with streams, the code takes a stream and a writer)
  const connection = createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, writer);
  // stdout carries the protocol: what a library prints goes to the client's log instead (the library does the
  // same for --stdio when it makes the streams itself)
  const log = (send: (text: string) => void) => (...args: unknown[]): void => send(format(...args));
  console.log = log((t) => connection.console.log(t));
  console.info = log((t) => connection.console.info(t));
  console.debug = log((t) => connection.console.log(t));
  console.warn = log((t) => connection.console.warn(t));
  console.error = log((t) => connection.console.error(t));
  console.trace = log((t) => connection.console.log(t));
  return connection;
}
