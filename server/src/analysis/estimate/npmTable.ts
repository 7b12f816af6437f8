// The npm package table (./data/npm-sizes.json.br, made by scripts/gen-npm-sizes.mjs from real npm installs): per
// package and exact version the bytes its folder takes in node_modules and its tarball in npm's cache, the size of
// its registry document, the os / cpu / libc it is limited to, and the resolved trees of CLIs installed globally.
// Read from disk on first use, like the Debian tables (./debianTable.ts): not bundled, not at start-up (most
// Dockerfiles install no npm package). A version not measured takes the size of the nearest measured version of the
// same package (same major first, then minor, then patch).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_DIRS } from './debianTable';

export interface NpmSize {
  unpacked: number;
  /** The tarball (0 where the cache did not record it). */
  packed: number;
  /** The version measured: the one asked for, or the nearest. */
  version: string;
}

export interface NpmPackageInfo {
  /** Size of the registry document npm caches for the name (0: not measured). */
  packument: number;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  versions: Map<string, { unpacked: number; packed: number }>;
}

export interface NpmTable {
  generated: string;
  source: string;
  /** For a package not measured: the median folder and registry document, the tarball's share of the folder. */
  fallback: { unpackedBytes: number; packedRatio: number; packumentBytes: number; indexEntryBytes: number };
  get(name: string): NpmPackageInfo | undefined;
  /** A global CLI's tree: `name@version` of each package it installs (itself included). */
  globalTree(name: string): string[] | undefined;
}

interface RawTable {
  generated: string;
  source: string;
  fallback: NpmTable['fallback'];
  packages: Record<string, (string | number)[]>;
  globals: Record<string, string[]>;
}

let loaded: NpmTable | null = null;

const FILE = 'npm-sizes.json';

/** The table's text: dist/data holds it decompressed (scripts/build.mjs), the source folder brotli-compressed. */
function readRaw(): RawTable {
  for (const dir of TABLE_DIRS) {
    if (existsSync(join(dir, FILE))) return JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as RawTable;
    if (existsSync(join(dir, `${FILE}.br`))) {
      // zlib only here: a bundle reads dist/data's decompressed table and never loads it
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up
      const { brotliDecompressSync } = require('node:zlib') as typeof import('node:zlib');
      return JSON.parse(brotliDecompressSync(readFileSync(join(dir, `${FILE}.br`))).toString('utf8')) as RawTable;
    }
  }
  return EMPTY;
}

/** Without its file (a damaged install): every package at a plain average, no trees. */
const EMPTY: RawTable = {
  generated: 'missing',
  source: 'no table',
  fallback: { unpackedBytes: 480_000, packedRatio: 0.3, packumentBytes: 100_000, indexEntryBytes: 440 },
  packages: {},
  globals: {},
};

/** The table, read from disk on first use (once per process). */
export function npmTable(): NpmTable {
  if (loaded) return loaded;
  let raw: RawTable;
  try {
    raw = readRaw();
  } catch {
    raw = EMPTY;
  }
  const decoded = new Map<string, NpmPackageInfo>();
  loaded = {
    generated: raw.generated,
    source: raw.source,
    fallback: raw.fallback,
    get(name) {
      if (decoded.has(name)) return decoded.get(name);
      const row = Object.prototype.hasOwnProperty.call(raw.packages, name) ? raw.packages[name] : undefined;
      const info = row && decodeRow(row);
      if (info) decoded.set(name, info);
      return info;
    },
    globalTree: (name) => (Object.prototype.hasOwnProperty.call(raw.globals, name) ? raw.globals[name] : undefined),
  };
  return loaded;
}

/** `[packument, "os/cpu/libc" ("a|b" lists, "" none), version, unpacked, packed, version, ...]`. */
function decodeRow(row: (string | number)[]): NpmPackageInfo {
  const [os, cpu, libc] = String(row[1] ?? '')
    .split('/')
    .map((s) => (s ? s.split('|') : undefined));
  const versions = new Map<string, { unpacked: number; packed: number }>();
  for (let i = 2; i + 2 < row.length; i += 3)
    versions.set(String(row[i]), { unpacked: Number(row[i + 1]), packed: Number(row[i + 2]) });
  return { packument: Number(row[0]) || 0, os, cpu, libc, versions };
}

/** The measured size of `name@version`, or of its nearest measured version; undefined when none is measured. */
export function npmSize(info: NpmPackageInfo, version: string | null): NpmSize | undefined {
  if (version) {
    const hit = info.versions.get(version);
    if (hit) return { ...hit, version };
  }
  let best: [string, { unpacked: number; packed: number }] | undefined;
  let bestScore = Infinity;
  const want = semverParts(version ?? '');
  for (const e of info.versions) {
    const score = versionDistance(want, semverParts(e[0]));
    if (score < bestScore) [best, bestScore] = [e, score];
  }
  return best && { ...best[1], version: best[0] };
}

function semverParts(v: string): number[] {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : [];
}

/** How far two versions are: the major counts most, then the minor, then the patch; no version: the newest. */
function versionDistance(a: number[], b: number[]): number {
  if (b.length === 0) return Number.MAX_SAFE_INTEGER;
  if (a.length === 0) return -(b[0] * 1e8 + b[1] * 1e4 + Math.min(b[2], 9999));
  return Math.abs(a[0] - b[0]) * 1e8 + Math.abs(a[1] - b[1]) * 1e4 + Math.min(Math.abs(a[2] - b[2]), 9999);
}
