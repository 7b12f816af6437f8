// The part of tar-stream 2.x that engine/layers.ts (extract) and engine/contextTar.ts (pack) use (the package ships
// no types).
declare module 'tar-stream' {
  import type { Readable, Writable } from 'node:stream';
  export interface Headers {
    name: string;
    size: number;
    mode?: number;
    type:
      | 'file'
      | 'link'
      | 'symlink'
      | 'directory'
      | 'character-device'
      | 'block-device'
      | 'fifo'
      | 'contiguous-file'
      | 'pax-header'
      | 'pax-global-header'
      | 'gnu-long-link-path'
      | 'gnu-long-path'
      | null;
    linkname?: string | null;
    mtime?: Date;
  }
  export interface Extract extends Writable {
    on(event: 'entry', listener: (header: Headers, stream: Readable, next: (err?: Error) => void) => void): this;
    on(event: 'finish' | 'close', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    destroy(err?: Error): this;
  }
  export function extract(opts?: Record<string, unknown>): Extract;
  export interface Pack extends Readable {
    /** An entry with its content; the callback runs once the pack has taken it. */
    entry(header: Headers, content: Buffer | string, callback?: (err?: Error | null) => void): Writable;
    /** An entry whose content (header.size bytes) is written to the returned stream; the callback runs at its end. */
    entry(header: Headers, callback?: (err?: Error | null) => void): Writable;
    finalize(): void;
    destroy(err?: Error): this;
  }
  export function pack(opts?: Record<string, unknown>): Pack;
}
