// A small LSP client for tests: spawns a server over stdio, frames JSON-RPC messages, answers the server's
// requests with defaults, and lets a test wait for a notification that matches a predicate (with a timeout).
// Time limits are ceilings for a machine shared with other builds, where a first analysis (reading a Debian
// package table from dist/data) can take seconds.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import type { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(__dirname, '../../..');

export interface Message {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

interface Waiter {
  match: (m: Message) => boolean;
  resolve: (m: Message) => void;
}

export class LspClient {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every notification received, in order. */
  readonly notifications: Message[] = [];
  /** Requests the server sent us (answered with defaults), in order. */
  readonly serverRequests: Message[] = [];
  /** Responses to no request of ours (a second answer to the same request, for one). */
  readonly strayResponses: Message[] = [];
  /** Message bodies that were not JSON (the stream is unreadable from there on). */
  readonly unreadable: string[] = [];
  stderr = '';
  private buf = Buffer.alloc(0);
  /** Chunks not yet joined to buf, their bytes plus buf's, and how many bytes the message being read needs. */
  private pendingChunks: Buffer[] = [];
  private pendingBytes = 0;
  private needBytes = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private waiters: Waiter[] = [];
  private exited: Promise<number | null>;

  constructor(args: string[] = ['dist/server.js', '--stdio']) {
    this.child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  private onData(chunk: Buffer): void {
    // a large message arrives in many chunks: gather them and join once it is complete (joining at every chunk is
    // quadratic, and a 30 MB publishDiagnostics then costs the client tens of seconds while the server waits)
    this.pendingChunks.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needBytes) return;
    this.buf = Buffer.concat([this.buf, ...this.pendingChunks]);
    this.pendingChunks = [];
    this.pendingBytes = this.buf.length;
    this.needBytes = 0;
    for (;;) {
      const headerEnd = this.buf.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, headerEnd).toString());
      if (!m) throw new Error(`bad header from server: ${this.buf.subarray(0, headerEnd).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < headerEnd + 4 + len) {
        this.needBytes = headerEnd + 4 + len;
        return;
      }
      const body = this.buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString();
      this.buf = this.buf.subarray(headerEnd + 4 + len);
      this.pendingBytes = this.buf.length;
      let msg: Message;
      try {
        msg = JSON.parse(body) as Message;
      } catch {
        this.unreadable.push(body.slice(0, 200));
        continue;
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Message): void {
    if (msg.method === undefined && typeof msg.id === 'number' && this.pending.has(msg.id)) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
      return;
    }
    if (msg.method === undefined) {
      this.strayResponses.push(msg);
      return;
    }
    if (msg.method !== undefined && msg.id !== undefined) {
      // a request from the server: answer with defaults
      this.serverRequests.push(msg);
      const params = msg.params as { items?: unknown[] } | undefined;
      const result = msg.method === 'workspace/configuration' ? (params?.items ?? []).map(() => null) : null;
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    this.notifications.push(msg);
    const still: Waiter[] = [];
    for (const w of this.waiters)
      if (w.match(msg)) w.resolve(msg);
      else still.push(w);
    this.waiters = still;
  }

  send(msg: Message): void {
    this.writeRaw(JSON.stringify(msg));
  }

  /** Writes one framed message body as given (tests use it to send garbage). */
  writeRaw(body: string): void {
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 15_000): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<Message>((resolve) => this.pending.set(id, resolve));
    this.send({ jsonrpc: '2.0', id, method, params });
    return withTimeout(reply, timeoutMs, `${method} (id ${id})`).then((m) => {
      if (m.error) throw new Error(`${method} failed: ${m.error.message}`);
      return m.result as T;
    });
  }

  /** A request declared in protocol.ts: its parameters and its result typed by the declaration. */
  call<P, R>(type: RequestType<P, R, unknown>, params: P, timeoutMs?: number): Promise<R>;
  call<R>(type: RequestType0<R, unknown>, timeoutMs?: number): Promise<R>;
  call<P, R>(
    type: RequestType<P, R, unknown> | RequestType0<R, unknown>,
    ...rest: [P, number?] | [number?]
  ): Promise<R> {
    if (type.numberOfParams === 0) return this.request<R>(type.method, undefined, rest[0] as number | undefined);
    return this.request<R>(type.method, rest[0], rest[1]);
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification of a type declared in protocol.ts whose parameters match. */
  notified<P>(
    type: NotificationType<P>,
    match: (p: P) => boolean = () => true,
    timeoutMs = 30_000,
    what = type.method,
  ): Promise<P> {
    return this.waitFor((m) => m.method === type.method && match(m.params as P), timeoutMs, what).then(
      (m) => m.params as P,
    );
  }

  /** The next notification (or one already received after `since`) that matches. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 30_000, what = 'notification'): Promise<Message> {
    const p = new Promise<Message>((resolve) => this.waiters.push({ match, resolve }));
    return withTimeout(p, timeoutMs, what);
  }

  waitForDiagnostics(uri: string, version?: number, timeoutMs = 30_000): Promise<PublishDiagnostics> {
    return this.waitFor(
      (m) => {
        if (m.method !== 'textDocument/publishDiagnostics') return false;
        const p = m.params as PublishDiagnostics;
        return p.uri === uri && (version === undefined || p.version === version);
      },
      timeoutMs,
      `diagnostics for ${uri}${version !== undefined ? ` v${version}` : ''}`,
    ).then((m) => m.params as PublishDiagnostics);
  }

  async initialize(initializationOptions: unknown = {}): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>(
      'initialize',
      {
        processId: process.pid,
        rootUri: null,
        capabilities: {
          textDocument: {
            hover: { contentFormat: ['markdown', 'plaintext'] },
            publishDiagnostics: { versionSupport: true },
            inlayHint: {},
            codeAction: {},
          },
          workspace: { configuration: true },
        },
        initializationOptions,
      },
      15000,
    );
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version, text } });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      await this.request('shutdown', null, 3000).catch(() => undefined);
      this.notify('exit', null);
      const code = await withTimeout(this.exited, 3000, 'exit').catch(() => null);
      if (code === null && this.child.exitCode === null) this.child.kill();
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}
export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
export interface PublishDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}
export interface InitializeResult {
  capabilities: Record<string, unknown>;
  serverInfo?: { name: string };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
