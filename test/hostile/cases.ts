// The catalogue of hostile inputs (issue 12): Dockerfiles and build contexts that used to crash, freeze or blow
// up the analysis, the CLI or the language server. One list, used by the hostile suite (test/lsp/hostile.test.ts:
// each case through the CLI and the server over stdio, each within its bound) and by the figures script
// (scripts/hostile-bench.mjs: time and peak memory per case, for any build).
//
// A case is a Dockerfile and, optionally, entries of its build context (files, FIFOs, symlinks, many files) made
// in a temporary folder by `materialize`.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOSTILE_ANALYSIS_INPUTS } from './inputs';

export type ContextEntry =
  | { kind: 'file'; path: string; content: string | Buffer }
  | { kind: 'fifo'; path: string }
  | { kind: 'symlink'; path: string; target: string }
  /** `count` empty files in one folder. */
  | { kind: 'many'; path: string; count: number };

export interface HostileCase {
  name: string;
  /** What went wrong before issue 12 (for the figures table). */
  was: string;
  dockerfile: string | Buffer;
  context?: ContextEntry[];
  /** The CLI and the server must answer within this (ms, on a busy 2-core machine; the figures show the real time). */
  boundMs?: number;
  /** The CLI must refuse the file (exit 2) rather than analyse it: 'cli' when only the CLI refuses (a binary
   * file: the server still analyses whatever an editor sends it), true when it is no text at all (/dev/zero). */
  refused?: boolean | 'cli';
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function longNames(n: number, len: number): ContextEntry[] {
  return range(0, n).map((i) => ({
    kind: 'file' as const,
    path: `${'a'.repeat(len)}${i}/${'a'.repeat(len)}`,
    content: 'x',
  }));
}

/** Deterministic pseudo-random bytes (mulberry32), so every run tries the same garbage. */
export function randomBytes(seed: number, n: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

/** Mulberry32: a small seeded generator, so a failure can be replayed (every seeded test uses this one). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Texts that tested the analysis itself (test/hostile/inputs.ts), then the cases with a build context or a file. */
export const HOSTILE_CASES: HostileCase[] = [
  ...HOSTILE_ANALYSIS_INPUTS.map((i) => ({
    name: i.name,
    was: i.was,
    get dockerfile() {
      return i.text;
    },
    boundMs: 30_000,
  })),
  {
    name: 'copy-invalid-class',
    was: 'crash: invalid character class turned into a RegExp',
    dockerfile: 'FROM alpine:3.20\nCOPY [z-a] /x\nCOPY [ /y\nCOPY a[ /z\n',
    context: [{ kind: 'file', path: 'a', content: 'x' }],
  },
  {
    name: 'copy-40-stars',
    was: 'hang: the glob RegExp backtracks',
    dockerfile: `FROM alpine:3.20\nCOPY ${'*'.repeat(40)}b /x\n`,
    context: longNames(20, 60),
  },
  {
    name: 'dockerignore-backtracking',
    was: 'hang: the .dockerignore matcher backtracks',
    dockerfile: 'FROM alpine:3.20\nCOPY . /src\n',
    context: [{ kind: 'file', path: '.dockerignore', content: '**/*a*a*a*a*a*a*a*a*a*b\n' }, ...longNames(20, 60)],
  },
  {
    name: 'run-1mb-line',
    was: 'long RUN line through every rule',
    dockerfile: `FROM alpine:3.20\nRUN echo ${'a b; '.repeat(250_000)}\n`,
  },
  {
    name: 'random-bytes',
    was: 'printed as garbage with exit 0 by the CLI',
    dockerfile: Buffer.concat([Buffer.from('FROM alpine\n'), randomBytes(1, 64_000)]),
    refused: 'cli',
  },
  {
    name: 'nul-byte',
    was: 'a NUL makes it a binary file for the CLI',
    dockerfile: 'FROM alpine\nRUN echo \u0000\n',
    refused: 'cli',
  },
  {
    name: 'bom-crlf-cr',
    was: 'BOM and mixed CRLF / CR line endings',
    dockerfile: '\ufeffFROM alpine\r\nRUN echo a \\\r\n b\r\rCOPY . .\r\n',
  },
  {
    name: 'invalid-utf8',
    was: 'bytes that are no UTF-8',
    dockerfile: Buffer.concat([
      Buffer.from('FROM alpine\nRUN echo '),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff]),
      Buffer.from('\n'),
    ]),
  },
  {
    name: 'terminal-escapes',
    was: 'control characters written to the terminal verbatim',
    dockerfile:
      'FROM alpine:3.20\nRUN echo "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b]8;;http://evil.example/\u0007x\u001b]8;;\u0007"\nLABEL a="\u009b31m"\n',
  },
  {
    name: 'fifo-dockerignore',
    was: 'hang: a FIFO .dockerignore is opened and read',
    dockerfile: 'FROM alpine:3.20\nCOPY . /src\n',
    context: [{ kind: 'fifo', path: '.dockerignore' }],
  },
  {
    name: 'fifo-lockfile',
    was: 'hang: a FIFO yarn.lock is opened and read',
    dockerfile: 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\n',
    context: [
      { kind: 'file', path: 'package.json', content: '{}' },
      { kind: 'fifo', path: 'yarn.lock' },
    ],
  },
  {
    name: 'lockfile-to-urandom',
    was: 'reads 1 GB: yarn.lock -> /dev/urandom',
    dockerfile: 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\n',
    context: [
      { kind: 'file', path: 'package.json', content: '{}' },
      { kind: 'symlink', path: 'yarn.lock', target: '/dev/urandom' },
    ],
  },
  {
    name: 'lockfile-outside-context',
    was: 'reads a file outside the context through a symlink',
    dockerfile: 'FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\n',
    context: [
      { kind: 'file', path: 'package.json', content: '{}' },
      { kind: 'symlink', path: 'package-lock.json', target: '/etc/passwd' },
    ],
  },
  {
    name: 'folder-200000-files',
    was: 'limits checked only between folders',
    dockerfile: 'FROM alpine:3.20\nCOPY . /src\n',
    context: [{ kind: 'many', path: 'big', count: 200_000 }],
    boundMs: 20_000,
  },
  {
    name: 'symlink-loop',
    was: 'a symlink loop in the context',
    dockerfile: 'FROM alpine:3.20\nCOPY . /src\n',
    context: [
      { kind: 'symlink', path: 'loop/a', target: '../loop' },
      { kind: 'symlink', path: 'self', target: 'self' },
    ],
  },
  { name: 'dev-zero', was: 'analyze /dev/zero grows to 3 GB', dockerfile: '', refused: true },
];

/** Makes the case's Dockerfile and context in `dir`; returns the Dockerfile's path. */
export function materialize(c: HostileCase, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const e of c.context ?? []) {
    const p = path.join(dir, e.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (e.kind === 'file') fs.writeFileSync(p, e.content);
    else if (e.kind === 'fifo') execFileSync('mkfifo', [p]);
    else if (e.kind === 'symlink') fs.symlinkSync(e.target, p);
    else makeManyFiles(p, e.count);
  }
  if (c.name === 'dev-zero') return '/dev/zero';
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, c.dockerfile);
  return file;
}

function makeManyFiles(folder: string, count: number): void {
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i++) fs.closeSync(fs.openSync(path.join(folder, `f${i}`), 'w'));
}
