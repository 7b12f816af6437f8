// The reader of the --stdio transport: JSON-RPC messages framed by `Content-Length` headers, read strictly.
//
// Why not the library's reader: on a malformed frame it stays silent forever. Bytes that never contain the blank
// line ending a header are kept waiting for one (and grow without limit); a header without `Content-Length`, with a
// value that is not a number, or a line without a colon is reported to nobody and leaves the stream out of step, so
// every later message is lost; a `Content-Length` of 2 GB is waited for, buffering whatever arrives. The server
// then holds its process and answers nothing. Here a frame is either read or refused:
// - a header section longer than MAX_HEADER_BYTES, a header line that is not `Name: value`, or a `Content-Length`
//   that is missing, not a plain decimal number or above MAX_MESSAGE_BYTES is a FramingError: the stream cannot be
//   followed from there, and the connection (connection.ts) says so on stderr and ends the process;
// - a well-framed body that is not a JSON object is a MessageParseError: the next frame starts where this one
//   ends, so the server logs it and goes on.

import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

/** Longer than any header a client sends (two short lines); garbage without a blank line is refused past it. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** The largest message body read: a 64 MiB Dockerfile in a didOpen is beyond any real one. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The byte stream is out of step: no later message can be found in it. */
export class FramingError extends Error {}
/** One message's body was not a JSON object; the messages after it are read as usual. */
export class MessageParseError extends Error {}

const HEADER_END = Buffer.from('\r\n\r\n');
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
const DECIMAL = /^[0-9]{1,10}$/;

export interface FramingLimits {
  headerBytes: number;
  messageBytes: number;
}

export class StrictStreamReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The body length announced by the header just read, or -1 while reading a header. */
  private bodyLength = -1;
  private failed = false;
  private callback: DataCallback | undefined;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly limits: FramingLimits = { headerBytes: MAX_HEADER_BYTES, messageBytes: MAX_MESSAGE_BYTES },
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (data: Buffer | string): void => this.onData(typeof data === 'string' ? Buffer.from(data) : data);
    const onError = (err: unknown): void => this.fireError(err);
    const onClose = (): void => this.fireClose();
    this.stream.on('data', onData);
    this.stream.on('error', onError);
    this.stream.on('end', onClose);
    this.stream.on('close', onClose);
    return Disposable.create(() => {
      this.stream.off('data', onData);
      this.stream.off('error', onError);
      this.stream.off('end', onClose);
      this.stream.off('close', onClose);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (!this.failed) {
      if (this.bodyLength < 0 && !this.readHeader()) return;
      if (this.size < this.bodyLength) return;
      const body = this.take(this.bodyLength);
      this.bodyLength = -1;
      this.deliver(body);
    }
  }

  /** Reads one header section when it is complete; false while waiting for more bytes (or after a failure). */
  private readHeader(): boolean {
    const head = this.peek(Math.min(this.size, this.limits.headerBytes + HEADER_END.length));
    const end = head.indexOf(HEADER_END);
    if (end < 0) {
      if (head.length >= this.limits.headerBytes + HEADER_END.length)
        this.fail(`no end of a message header within ${this.limits.headerBytes} bytes`);
      return false;
    }
    let length: number | undefined;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const m = HEADER_LINE.exec(line);
      if (!m) return this.fail(`malformed message header line ${JSON.stringify(line.slice(0, 80))}`);
      if (m[1].toLowerCase() !== 'content-length') continue;
      if (!DECIMAL.test(m[2]))
        return this.fail(`Content-Length is not a number of bytes: ${JSON.stringify(m[2].slice(0, 40))}`);
      length = Number(m[2]);
    }
    if (length === undefined) return this.fail('a message header without Content-Length');
    if (length > this.limits.messageBytes) {
      return this.fail(
        `a message of ${length} bytes announced, more than the ${this.limits.messageBytes} bytes accepted`,
      );
    }
    this.take(end + HEADER_END.length);
    this.bodyLength = length;
    return true;
  }

  private deliver(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (err) {
      this.fireError(
        new MessageParseError(
          `a message body that is not JSON (${body.length} bytes): ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.fireError(
        new MessageParseError(`a message body that is JSON but not a message object: ${body.toString('utf8', 0, 80)}`),
      );
      return;
    }
    try {
      this.callback?.(message as Message);
    } catch (err) {
      // the connection's own bookkeeping threw on this message: the next ones are still readable
      this.fireError(
        new MessageParseError(
          `a message the connection could not take: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
  }

  private fail(reason: string): false {
    this.failed = true;
    this.chunks = [];
    this.size = 0;
    this.fireError(new FramingError(reason));
    return false;
  }

  /** The first n buffered bytes, without consuming them (n <= size). */
  private peek(n: number): Buffer {
    if (this.chunks.length === 0) return Buffer.alloc(0);
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const parts: Buffer[] = [];
    let have = 0;
    for (const c of this.chunks) {
      if (have >= n) break;
      parts.push(c);
      have += c.length;
    }
    const joined = Buffer.concat(parts);
    // keep the joined bytes as one chunk: a header split over many small chunks is not joined again
    this.chunks.splice(0, parts.length, joined);
    return joined.subarray(0, n);
  }

  /** Removes and returns the first n buffered bytes (n <= size). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const out = this.peek(n);
    this.size -= n;
    const first = this.chunks[0];
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    return out;
  }
}
