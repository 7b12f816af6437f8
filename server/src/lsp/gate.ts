// Every message from the client passes here on its way from the transport's reader to the connection, before the
// connection queues it. Three jobs the protocol library leaves to the server:
// - the lifecycle of the LSP specification: before `initialize` a request is answered ServerNotInitialized
//   (-32002) and a notification other than `exit` is dropped; a second `initialize`, and any request after
//   `shutdown`, is answered InvalidRequest (-32600). (The library would run the handler: a hover before
//   initialize was answered.)
// - document synchronisation notifications whose parameters do not fit are dropped with a log line (params.ts),
//   rather than opening a document without text or half-applying a change;
// - it remembers, per document, the version of the last didChange read. The connection handles one queued message
//   per turn of the event loop, so when a burst of edits arrives the server learns here that a newer version is
//   already on its way, and analyses only that one (server.ts).

import {
  Disposable,
  ErrorCodes,
  Message,
  type DataCallback,
  type Event,
  type MessageReader,
  type MessageWriter,
  type NotificationMessage,
  type PartialMessageInfo,
  type RequestMessage,
} from 'vscode-languageserver/node';
import { syncProblem } from './params';

/** What the server may ask about messages read but not yet handled. */
export interface IncomingMessages {
  /** True when a didChange of this document with another version was read after the one being handled. */
  newerChangeQueued(uri: string, version: number): boolean;
  /** True once a `shutdown` request was read (the process then exits with 0 when the input closes). */
  readonly shutdownRequested: boolean;
}

export const NO_INCOMING: IncomingMessages = { newerChangeQueued: () => false, shutdownRequested: false };

type Phase = 'new' | 'running' | 'shutdown';

export class GatedReader implements MessageReader, IncomingMessages {
  private phase: Phase = 'new';
  private readonly lastChange = new Map<string, number>();
  /** Where notices go (dropped messages); set by the connection once it exists. */
  log: (text: string) => void = () => undefined;

  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
  ) {}

  get onError(): Event<Error> {
    return this.inner.onError;
  }
  get onClose(): Event<void> {
    return this.inner.onClose;
  }
  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }
  get shutdownRequested(): boolean {
    return this.phase === 'shutdown';
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((msg) => {
      if (this.admit(msg)) callback(msg);
    });
  }

  dispose(): void {
    this.inner.dispose();
  }

  newerChangeQueued(uri: string, version: number): boolean {
    const last = this.lastChange.get(uri);
    return last !== undefined && last !== version;
  }

  private admit(msg: Message): boolean {
    if (Message.isRequest(msg)) return this.admitRequest(msg);
    if (Message.isNotification(msg)) return this.admitNotification(msg);
    return true; // responses, and what is none of the three (the connection logs those)
  }

  private admitRequest(msg: RequestMessage): boolean {
    if (this.phase === 'new' && msg.method !== 'initialize') {
      return this.refuse(
        msg,
        ErrorCodes.ServerNotInitialized,
        `${msg.method}: the server is not initialized yet (send initialize first)`,
      );
    }
    if (this.phase !== 'new' && msg.method === 'initialize')
      return this.refuse(msg, ErrorCodes.InvalidRequest, 'initialize was already received');
    if (this.phase === 'shutdown')
      return this.refuse(msg, ErrorCodes.InvalidRequest, `${msg.method}: the server is shutting down`);
    if (msg.method === 'initialize') this.phase = 'running';
    else if (msg.method === 'shutdown') this.phase = 'shutdown';
    return true;
  }

  private admitNotification(msg: NotificationMessage): boolean {
    if (msg.method === 'exit') return true;
    if (this.phase === 'new') return false;
    const problem = syncProblem(msg.method, msg.params);
    if (problem) {
      this.log(`ignored ${msg.method}: ${problem}`);
      return false;
    }
    const uri = (msg.params as { textDocument?: { uri?: string; version?: number } } | undefined)?.textDocument?.uri;
    if (uri === undefined) return true;
    if (msg.method === 'textDocument/didChange') {
      this.lastChange.set(uri, (msg.params as { textDocument: { version: number } }).textDocument.version);
    } else if (msg.method === 'textDocument/didOpen' || msg.method === 'textDocument/didClose') {
      this.lastChange.delete(uri);
    }
    return true;
  }

  private refuse(msg: RequestMessage, code: number, message: string): false {
    this.writer.write({ jsonrpc: '2.0', id: msg.id, error: { code, message } } as Message).catch(() => undefined);
    return false;
  }
}
