// Debian's package indexes as the apt-get estimator needs them: Installed-Size, Depends (+Pre-Depends),
// Recommends and Provides of every package of a suite, from the table scripts/gen-debian-packages.mjs generates (one
// brotli-compressed binary file per suite, see that script for the format and what is kept). The files are read
// from disk on first use, not bundled: only the suite asked for is loaded, and it stays a few typed arrays over the
// decompressed file plus its names as one string (about 4 MB a suite); a package becomes an object only when it is
// asked for.
// Also: the packages an official image already has, so that an install only counts what it adds.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import baseSets from './data/debian-base-sets.json';
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
 * Where the table files are: next to the code that reads them. Bundled (dist/server.js, dist/cli.js) that is
 * dist/data, where scripts/build.mjs copies them; compiled by tsc for the tests (out/server/src/analysis/estimate)
 * it is this source folder; run from the sources, ./data.
 */
const TABLE_DIRS = [
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

// eslint-disable-next-line max-lines-per-function -- TODO(issue 13): split
function makeIndex(suite: Suite, indexDate: string, t: Table): DebIndex {
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
  const relations = (stream: Uint32Array, start: Uint32Array, i: number): string[][] => {
    const groups: string[][] = [];
    let group: string[] = [];
    for (let k = start[i]; k < start[i + 1]; k++) {
      const v = stream[k];
      group.push(nameAt(v >>> 1));
      if (v & 1) {
        groups.push(group);
        group = [];
      }
    }
    return groups;
  };
  const isPackage = (id: number): boolean => id >= 0 && (t.flags[id] & FLAG_PACKAGE) !== 0;

  const packages = new Map<number, DebPackage>();
  const get = (name: string): DebPackage | undefined => {
    const id = idOf(name);
    if (!isPackage(id)) return undefined;
    let pkg = packages.get(id);
    if (!pkg) {
      const f = t.flags[id];
      pkg = {
        name: nameAt(id),
        kib: t.kib[id],
        depends: relations(t.dep, t.depStart, id),
        recommends: relations(t.rec, t.recStart, id),
        required: (f & FLAG_REQUIRED) !== 0,
        important: (f & FLAG_IMPORTANT) !== 0,
        essential: (f & FLAG_ESSENTIAL) !== 0,
      };
      packages.set(id, pkg);
    }
    return pkg;
  };
  const providerLists = new Map<number, readonly string[]>();
  const providers = (name: string): readonly string[] | undefined => {
    const id = idOf(name);
    if (id < 0 || t.provStart[id] === t.provStart[id + 1]) return undefined;
    let list = providerLists.get(id);
    if (!list) {
      list = Array.from(t.prov.subarray(t.provStart[id], t.provStart[id + 1]), nameAt);
      providerLists.set(id, list);
    }
    return list;
  };
  const required: string[] = [];
  for (let i = 0; i < n; i++) if (t.flags[i] & (FLAG_REQUIRED | FLAG_ESSENTIAL)) required.push(nameAt(i));
  return { suite, indexDate, get, has: (name) => isPackage(idOf(name)), providers, required };
}

export interface Closure {
  /** Packages that would be newly installed, in resolution order. */
  added: DebPackage[];
  /** Names asked for that the index does not know (typo, another component, a pruned family, a PPA). */
  unknown: string[];
}

/**
 * What `apt-get install names` adds to a system that has `installed`: the named packages and, transitively, their
 * Depends/Pre-Depends (and Recommends unless `noRecommends`). For an alternative group, a member already present
 * wins, else the first that exists (apt's choice too); a virtual name resolves to an installed provider, else the
 * first provider.
 */
export function installClosure(
  index: DebIndex,
  installed: ReadonlySet<string>,
  names: string[],
  noRecommends: boolean,
  prefer: ReadonlySet<string> = new Set(),
): Closure {
  const added: DebPackage[] = [];
  const unknown: string[] = [];
  // what is installed so far: the given set plus what this closure adds (no copy of the given set: a RUN per
  // line of a 5,000-line file would copy the base image's package list each time)
  const adding = new Set<string>();
  const have = {
    has: (n: string): boolean => adding.has(n) || installed.has(n),
    add: (n: string): void => void adding.add(n),
  };
  const resolve = (name: string): string | null => {
    if (index.has(name)) return name;
    const provs = index.providers(name);
    if (!provs?.length) return null;
    return provs.find((p) => have.has(p)) ?? provs.find((p) => prefer.has(p)) ?? provs[0];
  };
  const pickGroup = (group: string[]): string | null => {
    for (const alt of group) {
      if (have.has(alt)) return null;
      const provs = index.providers(alt);
      if (provs?.some((p) => have.has(p))) return null;
    }
    const preferred = group.find((alt) => prefer.has(alt));
    if (preferred) return preferred;
    for (const alt of group) {
      const r = resolve(alt);
      if (r) return r;
    }
    return null;
  };
  const stack: string[] = [];
  for (const n of names) {
    const r = resolve(n);
    if (!r) unknown.push(n);
    else stack.push(r);
  }
  stack.reverse();
  while (stack.length) {
    const name = stack.pop() as string;
    if (have.has(name)) continue;
    const pkg = index.get(name);
    if (!pkg) continue;
    have.add(name);
    added.push(pkg);
    const groups = noRecommends ? pkg.depends : [...pkg.depends, ...pkg.recommends];
    for (let i = groups.length - 1; i >= 0; i--) {
      const next = pickGroup(groups[i]);
      if (next && !have.has(next)) stack.push(next);
    }
  }
  return { added, unknown };
}

/** What a base image already has installed, per kind of official image. */
export type BasePackageSet = 'minbase' | 'buildpack-curl' | 'buildpack-scm' | 'buildpack-deps';

/**
 * The packages an official image of `suite` already has, without loading the suite's table: precomputed from the
 * tables by basePackages (scripts/gen-debian-base-sets.mjs; a unit test keeps the two equal).
 */
export function knownBasePackages(suite: Suite, set: BasePackageSet): readonly string[] {
  return (baseSets.suites as Record<string, Record<string, string[]> | undefined>)[suite]?.[set] ?? [];
}

/** The date of the Release file a suite's table was made from (without loading the table). */
export function debianIndexDate(suite: Suite): string | null {
  return (meta.suites as Record<string, SuiteMeta | undefined>)[suite]?.indexDate ?? null;
}

const minbaseCache = new Map<string, Set<string>>();

/**
 * Packages of an official image's root filesystem. Debian's images (debuerreotype) are a debootstrap
 * `--variant=minbase`: every Priority: required package plus apt, with their dependencies; the -slim variants have
 * the same packages (they drop documentation files). The full language images (node:22, python:3.12, golang:1.26,
 * ruby, rust, ...) are built on buildpack-deps, which adds the lists of its Dockerfiles
 * (docker-library/buildpack-deps debian/<suite>/{curl,scm,}/Dockerfile).
 */
export function basePackages(index: DebIndex, set: BasePackageSet): Set<string> {
  const key = `${index.suite}:${set}`;
  const cached = minbaseCache.get(key);
  if (cached) return cached;
  // Alternatives and virtual packages resolve to the seeds when they can (mawk is required, so `awk` is mawk), and
  // to usr-is-merged rather than usrmerge: debootstrap builds a merged-/usr system itself.
  const seeds = [...index.required, 'apt'];
  const prefer = new Set([...seeds, 'usr-is-merged']);
  let have = new Set<string>();
  for (const p of installClosure(index, have, seeds, true, prefer).added) have.add(p.name);
  const layers: string[][] = [];
  if (set !== 'minbase') layers.push(BUILDPACK_CURL);
  if (set === 'buildpack-scm' || set === 'buildpack-deps') layers.push(BUILDPACK_SCM);
  if (set === 'buildpack-deps') layers.push(BUILDPACK_DEPS);
  for (const names of layers) {
    have = new Set([...have, ...installClosure(index, have, names, true).added.map((p) => p.name)]);
  }
  minbaseCache.set(key, have);
  return have;
}

// docker-library/buildpack-deps debian/bookworm/curl/Dockerfile @4f0449f7
const BUILDPACK_CURL = ['ca-certificates', 'curl', 'gnupg', 'netbase', 'sq', 'wget'];
// docker-library/buildpack-deps debian/bookworm/scm/Dockerfile @3b4b1fb8
const BUILDPACK_SCM = ['git', 'git-lfs', 'mercurial', 'openssh-client', 'subversion', 'procps'];
// docker-library/buildpack-deps debian/bookworm/Dockerfile @84e7e460
const BUILDPACK_DEPS = [
  'autoconf',
  'automake',
  'bzip2',
  'dpkg-dev',
  'file',
  'g++',
  'gcc',
  'imagemagick',
  'libbz2-dev',
  'libc6-dev',
  'libcurl4-openssl-dev',
  'libdb-dev',
  'libevent-dev',
  'libffi-dev',
  'libgdbm-dev',
  'libglib2.0-dev',
  'libgmp-dev',
  'libjpeg-dev',
  'libkrb5-dev',
  'liblzma-dev',
  'libmagickcore-dev',
  'libmagickwand-dev',
  'libmaxminddb-dev',
  'libncurses5-dev',
  'libncursesw5-dev',
  'libpng-dev',
  'libpq-dev',
  'libreadline-dev',
  'libsqlite3-dev',
  'libssl-dev',
  'libtool',
  'libwebp-dev',
  'libxml2-dev',
  'libxslt-dev',
  'libyaml-dev',
  'make',
  'patch',
  'unzip',
  'xz-utils',
  'zlib1g-dev',
  'default-libmysqlclient-dev',
];
