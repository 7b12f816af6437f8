// The LSP connection, as vscode-languageserver makes it from the command line (--stdio, --node-ipc, --socket,
// --pipe), with one change for --stdio: a large publishDiagnostics is serialised one diagnostic at a time.
//
// Why: the default writer makes one JSON string of the whole message and encodes it to UTF-8. On a 5,000-line file
// that string is 1.2 MB, and a single non-ASCII character in one of its 3,000 messages ("≈ 829 MB") makes all of it
// a two-byte string: 2.4 MB allocated straight into the old generation on every keystroke, and ~15 ms to encode.
// Small per-diagnostic strings are mostly one-byte, die young, and encode fast.
//
// Every message is also written as ASCII: a character outside it becomes a \uXXXX escape, which JSON allows inside
// any string and which parses to the same value. The client then decodes one-byte text: a 1 MB publishDiagnostics
// with a single "≈" in it decodes and parses in ~6 ms instead of ~14 ms in Node (the editor's extension host reads
// messages the same way).

import { format } from 'node:util';
import {
  createConnection, ProposedFeatures, StreamMessageWriter, type Connection, type Message, type MessageReader,
} from 'vscode-languageserver/node';

/** Below this many diagnostics the ordinary encoding is as good. */
const SPLIT_FROM = 256;

/** The bytes of a JSON-RPC message: JSON.stringify(msg) with every non-ASCII character escaped, so JSON.parse of them equals msg. */
export function encodeMessage(msg: Message): Buffer {
  const m = msg as { method?: string; params?: { diagnostics?: unknown[] } };
  const list = m.method === 'textDocument/publishDiagnostics' ? m.params?.diagnostics : undefined;
  if (!Array.isArray(list) || list.length < SPLIT_FROM) return Buffer.from(asciiJson(msg), 'latin1');
  // the message with a marker where the list goes, split there into head and tail
  const shell = asciiJson({ ...m, params: { ...m.params, diagnostics: MARKER } });
  const at = shell.indexOf(QUOTED_MARKER);
  const parts: Buffer[] = [Buffer.from(`${shell.slice(0, at)}[`, 'latin1')];
  for (let i = 0; i < list.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(encodedItem(list[i]));
  }
  parts.push(Buffer.from(`]${shell.slice(at + QUOTED_MARKER.length)}`, 'latin1'));
  return Buffer.concat(parts);
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify(value) in ASCII. A non-ASCII character can only stand inside a JSON string, where \uXXXX means the
 * same character (a character beyond U+FFFF is two such escapes, its surrogate pair).
 */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, escapeChar) : json;
}

const MARKER = '\u0000layer-insight-diagnostics\u0000';
const QUOTED_MARKER = JSON.stringify(MARKER);
const COMMA = Buffer.from(',');
/** Diagnostics are never changed once made; one kept from the previous version keeps its bytes too. */
const encoded = new WeakMap<object, Buffer>();

function encodedItem(item: unknown): Buffer {
  if (typeof item !== 'object' || item === null) return Buffer.from(asciiJson(item), 'latin1');
  let bytes = encoded.get(item);
  if (!bytes) encoded.set(item, (bytes = Buffer.from(asciiJson(item), 'latin1')));
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
