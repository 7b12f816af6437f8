// The build context tar (engine/contextTar.ts), read back with tar-stream's extract: the files .dockerignore keeps
// with their modes and mtimes, symlinks as links, long and non-ASCII names, the Dockerfile and .dockerignore always
// sent, an unsaved Dockerfile under a stable name, and a file's size as lstat saw it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { contextEntries, tarStream } from '../../../server/src/engine/contextTar';
import { engineLibs } from '../../../server/src/engine/lazy';

interface Read {
  type: string | null;
  mode: number;
  mtime: number;
  linkname?: string | null;
  content: string;
  raw: Buffer;
}

async function readTar(input: Readable): Promise<Map<string, Read>> {
  const out = new Map<string, Read>();
  const ex = engineLibs().tarStream.extract();
  ex.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const header = h as typeof h & { mtime: Date };
      out.set(h.name, {
        type: h.type,
        mode: (h.mode ?? 0) & 0o7777,
        mtime: header.mtime.getTime(),
        linkname: h.linkname,
        content: Buffer.concat(chunks).toString('utf8'),
        raw: Buffer.concat(chunks),
      });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    input.on('error', reject);
    input.pipe(ex);
  });
  return out;
}

/**
 * Reads the stream's first chunk (a header is out: the file was lstat'ed) without letting it flow, runs `then`, and
 * gives the whole stream back.
 */
async function afterFirstChunk(stream: Readable, then: () => void): Promise<Readable> {
  const first = await new Promise<Buffer>((resolve) => {
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      if (!chunk) return;
      stream.off('readable', onReadable);
      resolve(chunk);
    };
    stream.on('readable', onReadable);
  });
  then();
  const whole = new PassThrough();
  whole.write(first);
  stream.pipe(whole);
  return whole;
}

function context(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-context-tar-'));
  const write = (rel: string, text: string, mode = 0o644): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
    fs.chmodSync(path.join(dir, rel), mode);
  };
  write('Dockerfile', 'FROM busybox\nCOPY . /app\n');
  write('.dockerignore', 'secret.txt\n*.log\n');
  write('run.sh', '#!/bin/sh\necho hi\n', 0o755);
  write('private.key', 'k', 0o600);
  write('secret.txt', 'no');
  write('debug.log', 'no');
  write(`${'d'.repeat(120)}/${'e'.repeat(150)}/file.bin`, 'deep'); // over 255 bytes: a PAX name
  write('naïve/ünïcode.txt', 'utf8');
  fs.utimesSync(path.join(dir, 'run.sh'), 1_700_000_000.7, 1_700_000_000.7);
  fs.symlinkSync('run.sh', path.join(dir, 'link.sh'));
  fs.symlinkSync('/etc/passwd', path.join(dir, 'outside'));
  spawnSync('mkfifo', [path.join(dir, 'pipe')]);
  return dir;
}

test('a context folder: kept files with mode and mtime, links as links, long and non-ASCII names', async () => {
  const dir = context();
  try {
    const { entries, dockerfileName } = await contextEntries({ context: dir }, '');
    assert.equal(dockerfileName, 'Dockerfile');
    const tar = await readTar(tarStream(entries));
    const long = `${'d'.repeat(120)}/${'e'.repeat(150)}/file.bin`;
    assert.deepEqual(
      [...tar.keys()].sort(),
      ['.dockerignore', 'Dockerfile', 'link.sh', 'naïve/ünïcode.txt', 'outside', 'private.key', 'run.sh', long].sort(),
      'ignored files, the FIFO and folders are not sent',
    );
    const run = tar.get('run.sh');
    assert.deepEqual(run && [run.type, run.mode, run.mtime, run.content], [
      'file',
      0o755,
      1_700_000_000_000,
      '#!/bin/sh\necho hi\n',
    ]);
    assert.equal(tar.get('private.key')?.mode, 0o600);
    assert.deepEqual(
      [tar.get('link.sh')?.type, tar.get('link.sh')?.linkname, tar.get('link.sh')?.content],
      ['symlink', 'run.sh', ''],
    );
    assert.equal(tar.get('outside')?.linkname, '/etc/passwd', 'a link out of the context is sent as a link');
    assert.equal(tar.get(long)?.content, 'deep');
    assert.equal(tar.get('naïve/ünïcode.txt')?.content, 'utf8');
    assert.equal(tar.get('.dockerignore')?.content, 'secret.txt\n*.log\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unsaved Dockerfile goes in under a stable name with mtime 0; a Dockerfile elsewhere is not sent', async () => {
  const dir = context();
  try {
    const text = 'FROM alpine\nRUN echo unsaved\n';
    const { entries, dockerfileName } = await contextEntries({ context: dir, dockerfileText: text }, text);
    assert.equal(dockerfileName, '.layer-insight.Dockerfile');
    const tar = await readTar(tarStream(entries));
    const df = tar.get('.layer-insight.Dockerfile');
    assert.deepEqual(df && [df.type, df.mode, df.mtime, df.content], ['file', 0o644, 0, text]);
    assert.equal(tar.get('Dockerfile')?.content, 'FROM busybox\nCOPY . /app\n', 'the file on disk is context');

    const outside = path.join(os.tmpdir(), `li-context-tar-${process.pid}.Dockerfile`);
    fs.writeFileSync(outside, text);
    try {
      const other = await contextEntries({ context: dir, dockerfile: outside }, text);
      assert.equal(other.dockerfileName, '.layer-insight.Dockerfile', 'outside the context: sent as content');
    } finally {
      fs.rmSync(outside, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that shrinks while it is read keeps the size lstat saw, zero-padded; a vanished one is left out', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-context-tar-'));
  try {
    const big = path.join(dir, 'big.bin');
    const size = 4 * 1024 * 1024;
    fs.writeFileSync(big, Buffer.alloc(size, 7));
    const entries = [
      { name: 'gone', source: path.join(dir, 'gone') },
      { name: 'big.bin', source: big },
      { name: 'after', source: Buffer.from('after') },
    ];
    const stream = tarStream(entries);
    const tar = await readTar(await afterFirstChunk(stream, () => fs.truncateSync(big, 1000)));
    const got = tar.get('big.bin')?.raw ?? Buffer.alloc(0);
    assert.equal(got.length, size, 'the size the header announced');
    assert.equal(got[0], 7);
    assert.equal(got[size - 1], 0, 'the missing end is zeros');
    assert.equal(tar.has('gone'), false);
    assert.equal(tar.get('after')?.content, 'after', 'the archive stays readable after the shrunk file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that grows while it is read is cut at the size lstat saw', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-context-tar-'));
  try {
    const log = path.join(dir, 'app.log');
    fs.writeFileSync(log, 'first line\n');
    const stream = tarStream([{ name: 'app.log', source: log }]);
    const tar = await readTar(
      await afterFirstChunk(stream, () => fs.appendFileSync(log, 'written after the header\n')),
    );
    assert.equal(tar.get('app.log')?.content, 'first line\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
