// A minimal tar (ustar + PAX long names) writer for build contexts. Streams file contents from disk so a large
// context never sits in memory at once.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';

export interface TarEntry {
  /** POSIX path inside the archive. */
  name: string;
  /** Absolute path on disk, or the content itself. */
  source: string | Buffer;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(
  name: string,
  size: number,
  mode: number,
  type: '0' | '2' | '5' | 'x',
  linkname = '',
  mtime = 0,
): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function needsPax(s: string): boolean {
  return Buffer.byteLength(s) > 99 || /[^\x20-\x7e]/.test(s);
}

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

async function* generate(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    let type: '0' | '2' = '0';
    let size = 0;
    let mode = 0o644;
    let linkname = '';
    let mtime = 0;
    if (typeof e.source === 'string') {
      let st: fs.Stats;
      try {
        st = await fs.promises.lstat(e.source);
      } catch {
        continue; // vanished since listing
      }
      mode = st.mode;
      mtime = Math.floor(st.mtimeMs / 1000);
      if (st.isSymbolicLink()) {
        type = '2';
        linkname = await fs.promises.readlink(e.source);
      } else if (st.isFile()) {
        size = st.size;
      } else {
        continue;
      }
    } else {
      size = e.source.length;
    }
    if (needsPax(e.name) || needsPax(linkname)) {
      let pax = paxRecord('path', e.name);
      if (linkname) pax += paxRecord('linkpath', linkname);
      const pb = Buffer.from(pax, 'utf8');
      yield header('PaxHeader', pb.length, 0o644, 'x');
      yield pb;
      yield pad(pb.length);
    }
    yield header(e.name, size, mode, type, linkname, mtime);
    if (type === '0') {
      if (typeof e.source === 'string') {
        let written = 0;
        const fh = await fs.promises.open(e.source, 'r');
        try {
          const buf = Buffer.alloc(64 * 1024);
          while (written < size) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - written), null);
            if (bytesRead === 0) break;
            written += bytesRead;
            yield Buffer.from(buf.subarray(0, bytesRead));
          }
        } finally {
          await fh.close();
        }
        // the file shrank while we read it: keep the archive well-formed
        if (written < size) yield Buffer.alloc(size - written, 0);
      } else {
        yield e.source;
      }
      yield pad(size);
    }
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(generate(entries), { objectMode: false });
}

export function diskEntries(root: string, relPaths: string[]): TarEntry[] {
  return relPaths.map((p) => ({ name: p, source: path.join(root, p) }));
}
