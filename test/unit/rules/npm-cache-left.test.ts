import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../../server/src/analysis/model';
import { applyFix, df, findings } from '../fixes';

const RULE = 'npm-cache-left';

const lock = JSON.stringify({
  lockfileVersion: 3,
  packages: { '': {}, 'node_modules/typescript': { version: '5.9.3', resolved: 'r' } },
});
const ctx: BuildContextFacts = {
  root: '/ctx',
  truncated: false,
  hasDockerignore: false,
  files: [{ path: 'package-lock.json', bytes: lock.length }],
  contents: { 'package-lock.json': lock },
};

test("npm ci without a cache clean is flagged with the cache's size and fixed with npm cache clean --force", () => {
  const text = df('FROM node:22-bookworm-slim', 'WORKDIR /app', 'COPY package-lock.json .', 'RUN npm ci');
  const f = findings(text, RULE, { context: ctx });
  assert.equal(f.length, 1);
  assert.equal(f[0].hadolint, 'DL3060');
  // typescript's tarball is several MB
  assert.match(f[0].message, /leaves ~\d+(\.\d)? MB of npm's cache \(~\/\.npm\)/);
  assert.match(f[0].message, /--mount=type=cache,target=\/root\/\.npm/);
  assert.equal(
    applyFix(text, RULE, { context: ctx }).fixed,
    df(
      'FROM node:22-bookworm-slim',
      'WORKDIR /app',
      'COPY package-lock.json .',
      'RUN npm ci && npm cache clean --force',
    ),
  );
});

test('yarn install is fixed with yarn cache clean; npm install -g without a lockfile too (no size known)', () => {
  const yarn = df('FROM node:22-alpine', 'RUN yarn install --frozen-lockfile');
  const f = findings(yarn, RULE);
  assert.equal(f.length, 1);
  assert.match(f[0].message, /yarn's cache/);
  assert.equal(
    applyFix(yarn, RULE).fixed,
    df('FROM node:22-alpine', 'RUN yarn install --frozen-lockfile && yarn cache clean'),
  );
  assert.equal(findings(df('FROM node:22-alpine', 'RUN npm install -g pm2'), RULE).length, 1);
});

test('not flagged: a cache clean or rm of ~/.npm in the RUN, a cache mount, pnpm, a build-only stage', () => {
  const none = (...lines: string[]) => assert.equal(findings(df(...lines), RULE).length, 0, lines.join(' / '));
  none('FROM node:22', 'RUN npm ci && npm cache clean --force');
  none('FROM node:22', 'RUN npm ci && rm -rf /root/.npm');
  none('FROM node:22', 'RUN --mount=type=cache,target=/root/.npm npm ci');
  none('FROM node:22', 'RUN yarn install && yarn cache clean');
  none('FROM node:22', 'RUN pnpm install --frozen-lockfile');
  none(
    'FROM node:22 AS build',
    'RUN npm ci && npm run build',
    'FROM nginx:alpine',
    'COPY --from=build /dist /usr/share/nginx/html',
  );
});

test('no fix when a later stage built on this one installs --offline from the cache; the finding says why', () => {
  const text = [
    'FROM node:20 AS deps',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci',
    'FROM deps AS build',
    'RUN npm ci --offline --omit=dev',
    '',
  ].join('\n');
  const f = findings(text, 'npm-cache-left').find((x) => x.line === 4);
  assert.ok(f);
  assert.equal(f.fixes.length, 0);
  assert.match(f.message, /No fix offered: the install at line 6 runs --offline from this cache/);
});
