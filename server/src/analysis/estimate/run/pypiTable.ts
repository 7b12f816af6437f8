// Sizes of Python distributions as a Linux x86_64 CPython 3.12 install lays them out, from the table
// scripts/gen-pypi-sizes.mjs generates (../data/pypi-sizes.json: wheel bytes from public uv.lock files, unpacked
// bytes measured or from measured unpack factors, the .pyc pip compiles, dependencies). A distribution list is sized
// here: the lockfile's own wheel sizes where it has them (uv.lock), else the table's row; names in neither are
// left out and named (the estimate is then a lower bound).

import { lookup } from '../../lookup';
import table from '../data/pypi-sizes.json';
import type { PyDist } from './pyLockfiles';

/** [version, wheel bytes, unpacked bytes without .pyc, .pyc bytes, dependency names (null: unknown), source]. */
type Row = [string | null, number, number, number, string[] | null, number];

interface Table {
  generated: string;
  factors: Record<string, { unzip: number; pyc: number }>;
  sources: string[];
  packages: Record<string, Row>;
  cpu: Record<string, Row>;
}

const T = table as unknown as Table;

/** The table's date, for bases. */
export const PYPI_TABLE_DATE = T.generated;

/** The row for a distribution; the CPU-only index's build when `cpu` and the table has one. */
export function pypiRow(name: string, cpu: boolean): Row | undefined {
  return (cpu ? lookup(T.cpu, name) : undefined) ?? lookup(T.packages, name);
}

/** Max distributions a closure collects (a crafted table cannot be, but a requirements file can be long). */
const MAX_CLOSURE = 5_000;

/**
 * The distributions a pip install of `names` ends with: those and, through the table's dependencies, everything
 * they need (first seen order). Dependencies of a name whose row has none listed are not known (`openEnded`).
 */
export function closure(names: readonly string[], cpu: boolean): { names: string[]; openEnded: string[] } {
  const seen = new Set<string>(names);
  const order = [...seen];
  const openEnded: string[] = [];
  for (let i = 0; i < order.length && order.length < MAX_CLOSURE; i++) {
    const row = pypiRow(order[i], cpu);
    if (!row) continue;
    if (row[4] === null) openEnded.push(order[i]);
    for (const d of row[4] ?? [])
      if (!seen.has(d)) {
        seen.add(d);
        order.push(d);
      }
  }
  return { names: order, openEnded };
}

export interface PySizes {
  /** Bytes in site-packages (with .pyc when `compile`). */
  installed: number;
  /** Bytes of the wheels downloaded (what pip's and poetry's caches keep). */
  wheels: number;
  /** From the table (or the lockfile's wheel sizes). */
  known: number;
  unknown: string[];
  /** The largest, for the basis. */
  largest: { name: string; bytes: number }[];
}

/** What a list of distributions occupies installed (`compile`: with the .pyc pip writes) and as wheels. */
export function sizeDists(dists: readonly PyDist[], opts: { compile: boolean; cpu: boolean }): PySizes {
  const out: PySizes = { installed: 0, wheels: 0, known: 0, unknown: [], largest: [] };
  const each: { name: string; bytes: number }[] = [];
  for (const d of dists) {
    const row = pypiRow(d.name, opts.cpu || d.cpu === true || /\+cpu$/.test(d.version ?? ''));
    const wheel = d.wheelBytes ?? row?.[1] ?? null;
    if (wheel === null || (!row && d.wheelBytes === null)) {
      out.unknown.push(d.name);
      continue;
    }
    // the row's unpack ratio and .pyc share; a wheel the table lacks unpacks like a compiled package
    const f = T.factors.binary;
    const unpacked = row ? (d.wheelBytes !== null ? (d.wheelBytes * row[2]) / row[1] : row[2]) : wheel * f.unzip;
    const pyc = row ? (unpacked * row[3]) / Math.max(row[2], 1) : unpacked * f.pyc;
    const bytes = unpacked + (opts.compile ? pyc : 0);
    out.installed += bytes;
    out.wheels += wheel;
    out.known++;
    each.push({ name: d.name, bytes });
  }
  out.largest = each.sort((a, b) => b.bytes - a.bytes).slice(0, 3);
  return out;
}

/** "torch 1.2 GB, nvidia-cudnn-cu12 875 MB" */
export function largestText(s: PySizes): string {
  return s.largest.map((l) => `${l.name} ${mb(l.bytes)}`).join(', ');
}

export function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}
