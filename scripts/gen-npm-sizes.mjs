#!/usr/bin/env node
// Measures what npm packages cost on disk and writes the table the npm estimator reads
// (server/src/analysis/estimate/run/npm.ts):
//   server/src/analysis/estimate/data/npm-sizes.json.br (brotli-compressed JSON; its `generated` and `source` say
//   when and from what)
//
// How: real installs with npm itself (`npm install` / `npm ci --ignore-scripts`, a shared temporary cache), then
// - unpacked bytes: every installed package folder, file bytes (apparent sizes, as a layer tar counts them), its
//   nested node_modules excluded, keyed by name and exact version;
// - packed bytes: the tarball's size as npm's cache (_cacache index-v5) records it;
// - packument bytes: the size of the registry document npm fetched for a name (it does so only when a lockfile
//   entry has no `resolved` URL), as this machine's registry served it;
// - os / cpu / libc of platform-specific packages, from the lockfile npm wrote.
// The registry's own `dist.unpackedSize` is not used: the registry reachable here does not serve it.
// What is installed: the npm lockfiles of ../shared/corpus (when present, or --corpus DIR), groups of packages real
// projects use most (SEEDS), and CLIs Dockerfiles install globally (GLOBALS), whose resolved trees are kept so that
// `npm install -g <cli>` is sized with its dependencies. Platform packages are also installed for linux arm64, musl
// and arm64 musl (--cpu / --libc), so that those targets have sizes of their own.
// Run: node scripts/gen-npm-sizes.mjs [--corpus DIR] [--fresh | --measured-only]
// (needs the npm registry; the first run takes about an hour and ~3 GB of /tmp/gen-npm-sizes, where each project's
// measurements are kept for the next run)
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argAt = process.argv.indexOf('--corpus');
const corpus = argAt > 0 ? process.argv[argAt + 1] : join(root, '..', 'shared', 'corpus');
const fresh = process.argv.includes('--fresh');
/** Only the projects measured before: write the table from them, install nothing. */
const saveOnly = process.argv.includes('--measured-only');
const work = '/tmp/gen-npm-sizes';
const cache = join(work, '.npm');

/** Packages real projects use most, in groups installed together (latest versions at generation time). */
const SEEDS = {
  backend: [
    'express',
    'fastify',
    'koa',
    '@nestjs/core',
    '@nestjs/common',
    '@nestjs/platform-express',
    'reflect-metadata',
    'rxjs',
    'mongoose',
    'mongodb',
    'pg',
    'mysql2',
    'sequelize',
    'typeorm',
    '@prisma/client',
    'redis',
    'ioredis',
    'axios',
    'node-fetch',
    'dotenv',
    'cors',
    'helmet',
    'morgan',
    'body-parser',
    'cookie-parser',
    'jsonwebtoken',
    'bcrypt',
    'bcryptjs',
    'passport',
    'uuid',
    'lodash',
    'moment',
    'dayjs',
    'winston',
    'pino',
    'zod',
    'joi',
    'yup',
    'socket.io',
    'ws',
    'multer',
    'nodemailer',
    'compression',
    'express-session',
    'knex',
    'sqlite3',
    'better-sqlite3',
    'graphql',
    '@apollo/server',
    '@aws-sdk/client-s3',
    'aws-sdk',
    'firebase-admin',
    'stripe',
    'openai',
    'date-fns',
    'chalk',
    'commander',
    'yargs',
    'debug',
    'semver',
    'glob',
    'fs-extra',
    'puppeteer-core',
  ],
  frontend: [
    'next',
    'react',
    'react-dom',
    'vue',
    'svelte',
    '@sveltejs/kit',
    'vite',
    '@vitejs/plugin-react',
    '@vitejs/plugin-vue',
    'tailwindcss',
    '@tailwindcss/postcss',
    'postcss',
    'autoprefixer',
    'sass',
    'react-router-dom',
    '@tanstack/react-query',
    'redux',
    '@reduxjs/toolkit',
    'react-redux',
    'styled-components',
    '@emotion/react',
    '@mui/material',
    'antd',
    'bootstrap',
    'jquery',
    'three',
    'chart.js',
    'framer-motion',
    'lucide-react',
    'clsx',
    'class-variance-authority',
    'tailwind-merge',
    'zustand',
    'i18next',
    'react-hook-form',
  ],
  build: [
    'webpack',
    'webpack-cli',
    'webpack-dev-server',
    'babel-loader',
    'css-loader',
    'style-loader',
    'html-webpack-plugin',
    '@babel/core',
    '@babel/preset-env',
    '@babel/preset-react',
    '@babel/preset-typescript',
    'typescript',
    'esbuild',
    'rollup',
    '@swc/core',
    'lightningcss',
    '@biomejs/biome',
    'turbo',
    'sharp',
    'eslint',
    'prettier',
    'jest',
    'ts-jest',
    '@types/jest',
    'vitest',
    'mocha',
    'chai',
    'nodemon',
    'ts-node',
    'tsx',
    '@types/node',
    '@types/express',
    '@types/react',
    '@types/react-dom',
    'husky',
    'lint-staged',
    'concurrently',
    'cross-env',
    'rimraf',
    '@playwright/test',
    'cypress',
    '@testing-library/react',
    'jsdom',
    'prisma',
  ],
  cra: ['react-scripts'],
  angular: [
    '@angular/core',
    '@angular/common',
    '@angular/router',
    '@angular/platform-browser',
    '@angular/forms',
    '@angular/compiler',
    '@angular/animations',
    '@angular-devkit/build-angular',
    '@angular/compiler-cli',
    'zone.js',
  ],
  nuxt: ['nuxt'],
};

/** CLIs Dockerfiles install with `npm install -g` (a version range where the newest cannot be installed): each tree is kept. */
const GLOBALS = [
  'npm',
  'yarn',
  'pnpm',
  'pm2',
  'nodemon',
  'typescript',
  'ts-node',
  'tsx',
  'serve',
  'http-server',
  '@angular/cli',
  '@nestjs/cli',
  // the newest n8n needs versions of its own packages this machine's registry does not have (yet); vercel, the
  // same, and no older release there either: not in the table
  'n8n@~2.40.0',
  'prisma',
  'firebase-tools',
  'json-server',
  'newman',
  'nx',
  'turbo',
  'lerna',
  'npm-check-updates',
  'node-gyp',
  'gulp-cli',
  'corepack',
  'playwright',
  'forever',
  'nodemon',
  'rimraf',
  'eslint',
  'prettier',
  'vite',
  'wrangler',
  'sequelize-cli',
  'aws-cdk',
  'bun',
  'ghost-cli',
  '@vue/cli',
];

/** Installed for linux arm64 and for musl too (their platform packages differ). */
const PLATFORM_SEEDS = [
  'next',
  'esbuild',
  'sharp',
  '@swc/core',
  'rollup',
  'lightningcss',
  '@tailwindcss/postcss',
  '@biomejs/biome',
  'turbo',
  'vite',
  '@parcel/watcher',
  'bcrypt',
  'better-sqlite3',
  'sqlite3',
];

const table = new Map(); // name -> { versions: Map<version, unpacked>, platform }
const trees = {};

function npm(dir, args) {
  execFileSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund', '--cache', cache, '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    maxBuffer: 1 << 26,
  });
}

/** File bytes under a package folder, its own node_modules excluded (measured as their own entries). */
function folderBytes(dir, top = true) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (top && e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p, false);
    else if (e.isFile()) total += lstatSync(p).size;
  }
  return total;
}

/** Every package folder npm installed in `dir` (from the lockfile it wrote), with its lockfile. */
function measure(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const sizes = [];
  const platform = {};
  for (const [key, v] of Object.entries(lock.packages ?? {})) {
    if (!key.includes('node_modules/') || v.link) continue;
    const name = v.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (v.os || v.cpu || v.libc) platform[name] = { os: v.os, cpu: v.cpu, libc: v.libc };
    if (!existsSync(join(dir, key))) continue; // another platform's package, not installed here
    sizes.push([name, v.version, folderBytes(join(dir, key))]);
  }
  return { lock, sizes, platform };
}

/**
 * Installs one project and measures it; kept in the work folder, so that a run after a change of the lists
 * installs only what is new (--fresh: everything again).
 */
function project(id, pkg, lockText, extra = []) {
  const dir = join(work, id);
  const saved = join(work, `${id}.json`);
  if (!fresh && existsSync(saved)) return record(JSON.parse(readFileSync(saved, 'utf8')));
  if (saveOnly) return null;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  if (lockText) writeFileSync(join(dir, 'package-lock.json'), lockText);
  const t = Date.now();
  try {
    npm(dir, lockText ? ['ci', ...extra] : ['install', ...extra]);
  } catch (err) {
    console.error(`${id}: npm failed (${err.message.split('\n')[0]}), skipped`);
    return null;
  }
  const r = measure(dir);
  console.error(`${id}: ${r.sizes.length} packages in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  writeFileSync(saved, JSON.stringify(r));
  rmSync(dir, { recursive: true, force: true });
  return record(r);
}

/** Adds a project's measurements to the table. */
function record(r) {
  for (const [name, p] of Object.entries(r.platform)) entry(name).platform = p;
  for (const [name, version, bytes] of r.sizes) entry(name).versions.set(version, bytes);
  return r;
}

function entry(name) {
  const e = table.get(name) ?? { versions: new Map(), platform: null };
  table.set(name, e);
  return e;
}

const deps = (names) => Object.fromEntries(names.map((n) => [n, 'latest']));

mkdirSync(work, { recursive: true });
for (const lockPath of corpusLockfiles(corpus)) {
  const d = dirname(lockPath);
  project(
    `corpus-${d.replace(/[^a-z0-9]+/gi, '-')}`,
    JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')),
    readFileSync(lockPath, 'utf8'),
  );
}
for (const [id, names] of Object.entries(SEEDS))
  project(`seed-${id}`, { name: id, private: true, dependencies: deps(names) });
for (const [id, extra] of [
  ['arm64', ['--os=linux', '--cpu=arm64']],
  ['musl', ['--os=linux', '--libc=musl']],
  ['arm64-musl', ['--os=linux', '--cpu=arm64', '--libc=musl']],
])
  project(`platform-${id}`, { name: id, private: true, dependencies: deps(PLATFORM_SEEDS) }, null, extra);
for (const spec of new Set(GLOBALS)) {
  const at = spec.indexOf('@', 1);
  const [cli, range] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'latest'];
  const id = `global-${spec.replace(/[^a-z0-9]+/gi, '-')}`;
  const r = project(id, { name: 'g', private: true, dependencies: { [cli]: range } });
  if (r) trees[cli] = treeOf(r.lock);
}
/** The packages of a global install's tree, as `path name@version` (path: where it sits, for nesting). */
function treeOf(lock) {
  const out = [];
  for (const [key, v] of Object.entries(lock.packages ?? {}))
    if (key.includes('node_modules/') && !v.link && !v.dev)
      out.push(`${v.name ?? key.slice(key.lastIndexOf('node_modules/') + 13)}@${v.version}`);
  return out;
}

function corpusLockfiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      if (e.isDirectory()) stack.push(join(d, e.name));
      else if (e.name === 'package-lock.json' && existsSync(join(d, 'package.json'))) out.push(join(d, e.name));
    }
  }
  return out.sort();
}

// npm's cache: tarball sizes by name@version, packument sizes by name, bytes per index entry
const packed = new Map();
const packument = new Map();
let indexBytes = 0;
let indexEntries = 0;
const indexDir = join(cache, '_cacache', 'index-v5');
const stack = [indexDir];
while (stack.length) {
  const d = stack.pop();
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) stack.push(p);
    else
      for (const line of readFileSync(p, 'utf8').split('\n')) {
        if (!line) continue;
        indexBytes += line.length + 1;
        indexEntries++;
        const { key, size } = JSON.parse(line.slice(line.indexOf('\t') + 1));
        const url = /^make-fetch-happen:request-cache:https?:\/\/[^/]+\/(.+)$/.exec(key);
        const tar = /^pacote:tarball:(.+)@([^@]+)$/.exec(key);
        if (tar) packed.set(`${tar[1]}@${tar[2]}`, size);
        else if (url && url[1].endsWith('.tgz')) {
          const m = /^((?:@[^/]+\/)?([^/]+))\/-\/(.+)\.tgz$/.exec(url[1]);
          if (m && m[3].startsWith(`${m[2]}-`)) packed.set(`${m[1]}@${m[3].slice(m[2].length + 1)}`, size);
        } else if (url) packument.set(decodeURIComponent(url[1]), size);
      }
  }
}

// compact: name -> [packument bytes | 0, platform ("os/cpu/libc", "" if none), version, unpacked, packed, ...]
const packages = {};
let sumUnpacked = 0;
let sumPacked = 0;
let nVersions = 0;
const packumentSizes = [];
for (const name of [...table.keys()].sort()) {
  const e = table.get(name);
  if (e.versions.size === 0 && !e.platform) continue;
  const p = e.platform;
  const row = [
    packument.get(name) ?? 0,
    p ? [p.os, p.cpu, p.libc].map((x) => [].concat(x ?? []).join('|')).join('/') : '',
  ];
  if (packument.has(name)) packumentSizes.push(packument.get(name));
  for (const [ver, bytes] of [...e.versions].sort()) {
    const pk = packed.get(`${name}@${ver}`) ?? 0;
    row.push(ver, bytes, pk);
    if (pk) {
      sumUnpacked += bytes;
      sumPacked += pk;
    }
    nVersions++;
  }
  packages[name] = row;
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
const unpackedAll = Object.values(packages).flatMap((r) => r.filter((_, i) => i >= 3 && (i - 3) % 3 === 0));
const out = {
  generated: new Date().toISOString().slice(0, 10),
  source:
    `npm ${execFileSync('npm', ['--version']).toString().trim()} installs (--ignore-scripts) on linux x64 glibc, plus arm64 and musl ` +
    'installs of platform packages: file bytes of each installed package folder, tarball and registry-document ' +
    "sizes from npm's cache; inputs: the npm lockfiles of the shared corpus, the SEEDS and GLOBALS of scripts/gen-npm-sizes.mjs",
  versions: nVersions,
  fallback: {
    // for a package not in the table: the median, not the mean (the large packages real projects use are in the
    // table; those it misses are the long tail of small ones)
    unpackedBytes: median(unpackedAll),
    packedRatio: Number((sumPacked / Math.max(sumUnpacked, 1)).toFixed(3)),
    packumentBytes: median(packumentSizes),
    indexEntryBytes: Math.round(indexBytes / Math.max(indexEntries, 1)),
  },
  packages,
  globals: trees,
};
const file = join(root, 'server/src/analysis/estimate/data/npm-sizes.json.br');
const json = Buffer.from(JSON.stringify(out) + '\n');
writeFileSync(file, brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
console.log(
  `${Object.keys(packages).length} packages, ${nVersions} versions, ${Object.keys(trees).length} global trees, packed/unpacked ${out.fallback.packedRatio}, ${json.length} B of JSON -> ${file}`,
);
