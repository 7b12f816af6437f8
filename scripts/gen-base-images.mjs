#!/usr/bin/env node
// Generates server/src/analysis/estimate/data/base-images.json from the hand-maintained, cited table
// scripts/data/base-images.source.json: converts each printed size to bytes and writes the basis sentence
// shown to users. Run: node scripts/gen-base-images.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = JSON.parse(readFileSync(join(root, 'scripts/data/base-images.source.json'), 'utf8'));
const out = join(root, 'server/src/analysis/estimate/data/base-images.json');

const UNITS = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, Mb: 1e6, Gb: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function toBytes(size) {
  const m = /^\s*([\d.]+)\s*([A-Za-z]*)\s*$/.exec(size);
  if (!m) throw new Error(`unreadable size ${size}`);
  const unit = m[2] || 'B';
  if (!(unit in UNITS)) throw new Error(`unknown unit ${unit} in ${size}`);
  return Math.round(Number(m[1]) * UNITS[unit]);
}

function describe(row, bytes) {
  switch (row.kind) {
    case 'definition':
      return row.source;
    case 'repo-info-local':
      return `${row.refs[0]} on-disk ~${row.size} (${row.source}, image built ${row.date})`;
    case 'docker-images':
      return `${row.refs[0]} ${row.size} as \`docker images\` shows it (${row.source}, ${row.date})`;
    case 'uncompressed-doc':
      return `${row.refs[0]} ${row.size} uncompressed (${row.source}, ${row.date})`;
    case 'compressed': {
      const mb = (Number(row.size) / 1e6).toFixed(1);
      const why = row.ratioNote ?? 'typical compressed/on-disk ratio of official images, research §6';
      return (
        `${row.refs[0]} derived: compressed ${mb} MB / ratio ${row.ratio} (${why}) = ` +
        `${(bytes / 1e6).toFixed(0)} MB on disk (${row.source}, ${row.date})`
      );
    }
    default:
      throw new Error(`unknown kind ${row.kind}`);
  }
}

const rows = src.rows.map((row) => {
  let bytes = toBytes(row.size);
  if (row.kind === 'compressed') bytes = Math.round(bytes / row.ratio);
  if (!('release' in row)) throw new Error(`row ${row.refs[0]} has no release (null when unknown)`);
  return {
    refs: row.refs,
    bytes,
    basis: describe(row, bytes),
    family: row.family,
    libc: row.libc,
    release: row.release,
  };
});
const seen = new Set();
for (const r of rows)
  for (const ref of r.refs) {
    if (seen.has(ref)) throw new Error(`duplicate ref ${ref}`);
    seen.add(ref);
  }
mkdirSync(dirname(out), { recursive: true });
const generated = new Date().toISOString().slice(0, 10);
writeFileSync(out, JSON.stringify({ generated, source: 'scripts/data/base-images.source.json', rows }, null, 1) + '\n');
console.log(`${rows.length} rows -> ${out}`);
