// The LSP connection, as vscode-languageserver makes it from the command line (--stdio, --node-ipc, --socket,
// --pipe), with one change for --stdio: messages are written as ASCII-only JSON.
//
// Why: JSON.stringify of a message with a single non-ASCII character (a "≈" in one of 3,000 diagnostics) yields a
// two-byte string, and encoding a 1 MB two-byte string to UTF-8 costs ~10 ms per publish on a 5,000-line file.
// Escaping the few non-ASCII characters as \uXXXX keeps the string one-byte, and latin1 is then a plain copy. The
// bytes on the wire are valid JSON that decodes to the same message.

import { format } from 'node:util';
import {
  createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection,
} from 'vscode-languageserver/node';

const NON_ASCII = /[\u0080-\uffff]/g;

/** JSON with every non-ASCII UTF-16 unit escaped: pure ASCII, so one byte per character. */
export function asciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(json)) return json;
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createServerConnection(argv: string[] = process.argv): Connection {
  if (!argv.slice(2).includes('--stdio')) return createConnection(ProposedFeatures.all);
  // stdout carries the protocol: whatever a library prints goes to stderr instead (vscode-languageserver does the
  // same for --stdio, sending it to the client's log)
  for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const) {
    console[level] = (...args: unknown[]) => void process.stderr.write(format(...args) + '\n');
  }
  const writer = new StreamMessageWriter(process.stdout, {
    charset: 'utf-8',
    contentTypeEncoder: {
      name: 'application/json',
      encode: (msg) => Promise.resolve(Buffer.from(asciiJson(msg), 'latin1')),
    },
  });
  return createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), writer);
}
