// The LSP connection, as vscode-languageserver makes it from the command line (--stdio, --node-ipc, --socket,
// --pipe), with these changes:
// - --stdio reads frames strictly (framing.ts): a malformed frame ends the process with a line on stderr instead of
//   leaving it silent forever; a body that is not JSON is logged and skipped;
// - --stdio and --node-ipc pass every message through the gate (gate.ts: the initialize/shutdown lifecycle, invalid
//   document notifications dropped, the latest queued edit of each document known), and a request cancelled while
//   still queued is answered RequestCancelled (-32800);
// - for --stdio, a large publishDiagnostics is serialised one diagnostic at a time.
//
// Why the last one: the default writer makes one JSON string of the whole message and encodes it to UTF-8. On a
// 5,000-line file
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
  createConnection,
  IPCMessageReader,
  IPCMessageWriter,
  LSPErrorCodes,
  ProposedFeatures,
  StreamMessageWriter,
  type Connection,
  type ConnectionOptions,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { FramingError, StrictStreamReader } from './framing';
import { GatedReader, NO_INCOMING, type IncomingMessages } from './gate';

/** Below this many diagnostics the ordinary encoding is as good. */
const SPLIT_FROM = 256;

/**
 * The bytes of a JSON-RPC message: JSON.stringify(msg) with every non-ASCII character escaped, so JSON.parse of them
 * equals msg.
 */
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

/** The connection, and what the server may ask about the messages read but not yet handled (gate.ts). */
export interface ServerTransport {
  connection: Connection;
  incoming: IncomingMessages;
}

/**
 * --stdio and --node-ipc (the VS Code client) get our reader and writer behind the gate; other transports
 * (--socket, --pipe) are made by the library, without it.
 */
export function createServerConnection(argv: readonly string[] = process.argv): ServerTransport {
  const args = argv.slice(2);
  if (args.includes('--stdio')) return stdioConnection();
  if (args.includes('--node-ipc')) return gated(new IPCMessageReader(process), new IPCMessageWriter(process));
  return { connection: createConnection(ProposedFeatures.all, CONNECTION_OPTIONS), incoming: NO_INCOMING };
}

/** A request cancelled while it waits in the connection's queue is answered RequestCancelled without running. */
const CONNECTION_OPTIONS: ConnectionOptions = {
  connectionStrategy: {
    cancelUndispatched: (msg) => ({
      jsonrpc: '2.0',
      id: (msg as { id?: number | string }).id ?? null,
      error: { code: LSPErrorCodes.RequestCancelled, message: 'request cancelled before it ran' },
    }),
  },
};

function gated(reader: MessageReader, writer: MessageWriter): ServerTransport & { gate: GatedReader } {
  const gate = new GatedReader(reader, writer);
  const connection = createConnection(ProposedFeatures.all, gate, writer, CONNECTION_OPTIONS);
  gate.log = (text) => connection.console.warn(text);
  reader.onError((err) => {
    if (err instanceof FramingError) return; // the stdio transport ends the process
    connection.console.error(`ignored an unreadable message: ${err.message}`);
  });
  return { connection, incoming: gate, gate };
}

function stdioConnection(): ServerTransport {
  const reader = new StrictStreamReader(process.stdin);
  const writer = new StreamMessageWriter(process.stdout, {
    charset: 'utf-8',
    contentTypeEncoder: { name: 'application/json', encode: (msg) => Promise.resolve(encodeMessage(msg)) },
  });
  const { connection, incoming, gate } = gated(reader, writer);
  // a malformed frame leaves no way to find the next message: say so and end, rather than wait forever
  reader.onError((err) => {
    if (!(err instanceof FramingError)) return;
    process.stderr.write(`layer-insight: cannot read the client's messages (${err.message}); exiting\n`);
    process.exit(1);
  });
  // the editor closed our input (the library's exit for streams): 0 after a shutdown request, else 1
  const closed = (): void => process.exit(gate.shutdownRequested ? 0 : 1);
  process.stdin.on('end', closed);
  process.stdin.on('close', closed);
  // stdout carries the protocol: what a library prints goes to the client's log instead (the library does the
  // same for --stdio when it makes the streams itself)
  const log =
    (send: (text: string) => void) =>
    (...args: unknown[]): void =>
      send(format(...args));
  console.log = log((t) => connection.console.log(t));
  console.info = log((t) => connection.console.info(t));
  console.debug = log((t) => connection.console.log(t));
  console.warn = log((t) => connection.console.warn(t));
  console.error = log((t) => connection.console.error(t));
  console.trace = log((t) => connection.console.log(t));
  return { connection, incoming };
}
