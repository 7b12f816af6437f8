// Debian's package indexes as the apt-get estimator needs them: Installed-Size, Depends (+Pre-Depends),
// Recommends and Provides of every package of a suite, from the table scripts/gen-debian-packages.mjs generates (one
// brotli-compressed binary file per suite, see that script for the format and what is kept). This file loads them:
// the files are read from disk on first use, not bundled: only the suite asked for is loaded, and it stays a few
// typed arrays over the decompressed file plus its names as one string (about 4 MB a suite); a package becomes an
// object only when it is asked for. What an install adds over a table (the dependency closure) is ./debian.ts.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import meta from './data/debian-packages.meta.json';

export type Suite = 'bookworm' | 'trixie';
export const SUITES: readonly Suite[] = ['bookworm', 'trixie'];

export interface DebPackage {
  name: string;
  /** Installed-Size in KiB. */
  kib: number;
  /** Depends + Pre-Depends: groups of alternatives. */
  depends: string[][];
  recommends: string[][];
  required: boolean;
  important: boolean;
  essential: boolean;
}

export interface DebIndex {
  suite: Suite;
  /** Date of the suite's Release file the table was made from. */
  indexDate: string;
  /** A package by name (made on first use). */
  get(name: string): DebPackage | undefined;
  has(name: string): boolean;
  /** Virtual package (or a real one others also provide) -> the real packages that provide it, in name order. */
  providers(name: string): readonly string[] | undefined;
  /** Packages with Priority: required or Essential: yes, in name order. */
  required: string[];
}

interface SuiteMeta {
  indexDate: string;
  file: string;
  bytes: number;
  sha256: string;
  rawBytes: number;
}

const decoded = new Map<Suite, DebIndex | null>();

/**
 * Where the table files are (these and ./npmTable.ts's): next to the code that reads them. Bundled (dist/server.js,
 * dist/cli.js) that is dist/data, where scripts/build.mjs copies them; compiled by tsc for the tests
 * (out/server/src/analysis/estimate) it is this source folder; run from the sources, ./data.
 */
export const TABLE_DIRS = [
  join(__dirname, 'data'),
  join(__dirname, '..', '..', '..', '..', '..', 'server', 'src', 'analysis', 'estimate', 'data'),
];

/**
 * The package index of a suite, loaded on first use (once per process; only the suite asked for), or null when
 * its file is missing or damaged (the apt estimate then says it has no table).
 */
export function debianIndex(suite: Suite): DebIndex | null {
  if (decoded.has(suite)) return decoded.get(suite) ?? null;
  const index = loadDebianIndex(suite, TABLE_DIRS);
  decoded.set(suite, index);
  return index;
}

/** Reads a suite's table from the first of `dirs` that has its file (not cached); null if none has a sound one. */
export function loadDebianIndex(suite: Suite, dirs: readonly string[]): DebIndex | null {
  const info = (meta.suites as Record<string, SuiteMeta | undefined>)[suite];
  if (!info) return null;
  // dist/data holds the table decompressed (scripts/build.mjs); the source folder, brotli-compressed
  const rawFile = info.file.replace(/\.br$/, '');
  const path = dirs.flatMap((dir) => [join(dir, rawFile), join(dir, info.file)]).find((p) => existsSync(p));
  if (!path) return null;
  try {
    const table = path.endsWith('.br') ? readTable(path, info) : parseTable(readFileSync(path), info);
    return table && makeIndex(suite, info.indexDate, table);
  } catch {
    return null;
  }
}

const MAGIC = 'DLIDEB01';
const FLAG_PACKAGE = 1;
const FLAG_REQUIRED = 2;
const FLAG_IMPORTANT = 4;
const FLAG_ESSENTIAL = 8;

/** One suite's table as the generator wrote it: views into the decompressed file, nothing parsed. */
interface Table {
  /** Number of names. */
  n: number;
  names: Buffer;
  nameStart: Uint32Array;
  kib: Int32Array;
  flags: Uint8Array;
  depStart: Uint32Array;
  recStart: Uint32Array;
  provStart: Uint32Array;
  dep: Uint32Array;
  rec: Uint32Array;
  prov: Uint32Array;
}

function readTable(path: string, info: SuiteMeta): Table | null {
  const packed = readFileSync(path);
  if (packed.length !== info.bytes || createHash('sha256').update(packed).digest('hex') !== info.sha256) return null;
  // one output chunk of the known size: no 16 KiB chunks to concatenate (that doubled the time and the garbage)
  // zlib only here: a bundle reads dist/data's decompressed tables and never loads it
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up
  const { brotliDecompressSync } = require('node:zlib') as typeof import('node:zlib');
  return parseTable(brotliDecompressSync(packed, { chunkSize: Math.max(info.rawBytes + 1, 64) }), info);
}

/** Views into a decompressed table; null when its size, header or ranges are not what the generator writes. */
function parseTable(raw: Buffer, info: SuiteMeta): Table | null {
  if (raw.length !== info.rawBytes || raw.length < 32 || raw.toString('latin1', 0, 8) !== MAGIC) return null;
  if (raw.byteOffset % 4 !== 0) raw = Buffer.from(raw); // typed arrays need 4-byte alignment
  const [n, blobBytes, depLen, recLen, provLen] = [8, 12, 16, 20, 24].map((o) => raw.readUInt32LE(o));
  if (raw.length !== 32 + 4 * (4 * (n + 1) + n + depLen + recLen + provLen) + n + blobBytes) return null;
  let at = raw.byteOffset + 32;
  const u32 = (len: number): Uint32Array => {
    const a = new Uint32Array(raw.buffer, at, len);
    at += 4 * len;
    return a;
  };
  const nameStart = u32(n + 1);
  const kib = new Int32Array(raw.buffer, at, n);
  at += 4 * n;
  const depStart = u32(n + 1);
  const recStart = u32(n + 1);
  const provStart = u32(n + 1);
  const dep = u32(depLen);
  const rec = u32(recLen);
  const prov = u32(provLen);
  const flags = new Uint8Array(raw.buffer, at, n);
  at += n;
  const names = Buffer.from(raw.buffer, at, blobBytes);
  // ranges must end where their arrays end (the file's hash already vouches for the rest)
  if (nameStart[n] !== blobBytes || depStart[n] !== depLen || recStart[n] !== recLen || provStart[n] !== provLen)
    return null;
  return { n, names, nameStart, kib, flags, depStart, recStart, provStart, dep, rec, prov };
}

/** The index over a table: packages, providers and names looked up in place, objects made on first use. */
function makeIndex(suite: Suite, indexDate: string, t: Table): DebIndex {
  const names = tableNames(t);
  const isPackage = (id: number): boolean => id >= 0 && (t.flags[id] & FLAG_PACKAGE) !== 0;
  const required: string[] = [];
  for (let i = 0; i < t.n; i++) if (t.flags[i] & (FLAG_REQUIRED | FLAG_ESSENTIAL)) required.push(names.nameAt(i));
  return {
    suite,
    indexDate,
    get: packageLookup(t, names, isPackage),
    has: (name) => isPackage(names.idOf(name)),
    providers: providerLookup(t, names),
    required,
  };
}

/** A table's names: name i as a string, and the id of a name (-1 when the table does not have it). */
interface Names {
  nameAt(i: number): string;
  idOf(name: string): number;
}

function tableNames(t: Table): Names {
  const { n, nameStart } = t;
  // the names as one string (one-byte, the size of the blob): names are slices of it, made only when asked for
  const text = t.names.toString('latin1');
  /** Compares a name with table name i by character code (names are ASCII, sorted bytewise). */
  const compare = (name: string, i: number): number => {
    const start = nameStart[i];
    const len = nameStart[i + 1] - start;
    const common = Math.min(len, name.length);
    for (let k = 0; k < common; k++) {
      const d = name.charCodeAt(k) - text.charCodeAt(start + k);
      if (d !== 0) return d;
    }
    return name.length - len;
  };
  const search = (name: string): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(name, mid);
      if (c === 0) return mid;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  };
  // Each name becomes a string once, and a string from the table or found in it is looked up by hash from then on: a
  // closure asks for the same names (libc6, ...) over and over. Both maps hold table names only, so they stay within
  // the table's size whatever names Dockerfiles ask for.
  const strings: (string | undefined)[] = new Array(n);
  const known = new Map<string, number>();
  const nameAt = (i: number): string => {
    let s = strings[i];
    if (s === undefined) {
      s = text.slice(nameStart[i], nameStart[i + 1]);
      strings[i] = s;
      known.set(s, i);
    }
    return s;
  };
  const idOf = (name: string): number => {
    const hit = known.get(name);
    if (hit !== undefined) return hit;
    const id = search(name);
    if (id >= 0) nameAt(id);
    return id;
  };
  return { nameAt, idOf };
}

/** Name i's relations in one stream (depends or recommends): groups of alternatives. */
function relations(names: Names, stream: Uint32Array, start: Uint32Array, i: number): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  for (let k = start[i]; k < start[i + 1]; k++) {
    const v = stream[k];
    group.push(names.nameAt(v >>> 1));
    if (v & 1) {
      groups.push(group);
      group = [];
    }
  }
  return groups;
}

/** DebIndex.get: a package by name, made into an object on first use and kept. */
function packageLookup(
  t: Table,
  names: Names,
  isPackage: (id: number) => boolean,
): (name: string) => DebPackage | undefined {
  const packages = new Map<number, DebPackage>();
  return (name) => {
    const id = names.idOf(name);
    if (!isPackage(id)) return undefined;
    let pkg = packages.get(id);
    if (!pkg) {
      const f = t.flags[id];
      pkg = {
        name: names.nameAt(id),
        kib: t.kib[id],
        depends: relations(names, t.dep, t.depStart, id),
        recommends: relations(names, t.rec, t.recStart, id),
        required: (f & FLAG_REQUIRED) !== 0,
        important: (f & FLAG_IMPORTANT) !== 0,
        essential: (f & FLAG_ESSENTIAL) !== 0,
      };
      packages.set(id, pkg);
    }
    return pkg;
  };
}

/** DebIndex.providers: the packages that provide a name, as a list made on first use and kept. */
function providerLookup(t: Table, names: Names): (name: string) => readonly string[] | undefined {
  const providerLists = new Map<number, readonly string[]>();
  return (name) => {
    const id = names.idOf(name);
    if (id < 0 || t.provStart[id] === t.provStart[id + 1]) return undefined;
    let list = providerLists.get(id);
    if (!list) {
      list = Array.from(t.prov.subarray(t.provStart[id], t.provStart[id + 1]), names.nameAt);
      providerLists.set(id, list);
    }
    return list;
  };
}

/** The date of the Release file a suite's table was made from (without loading the table). */
export function debianIndexDate(suite: Suite): string | null {
  return (meta.suites as Record<string, SuiteMeta | undefined>)[suite]?.indexDate ?? null;
}
