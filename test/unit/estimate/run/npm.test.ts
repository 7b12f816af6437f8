// What npm ci / npm install / yarn / pnpm add to a RUN layer (server/src/analysis/estimate/run/npm.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../../../server/src/analysis/model';
import { fixtureContext, stepsAt } from '../helpers';

test('npm ci sizes the lockfile the stage copied in; --omit=dev drops dev packages', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    [
      'FROM node:22-bookworm-slim',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'RUN npm ci --omit=dev && npm cache clean --force',
    ].join('\n'),
    { context: ctx },
  );
  const all = at(4).size;
  const prod = at(5).size;
  assert.ok(all && prod);
  assert.match(all.basis, /4 packages in package-lock\.json/);
  assert.match(all.basis, /npm's cache/);
  assert.match(prod.basis, /3 packages in package-lock\.json \(without dev dependencies\)/);
  assert.doesNotMatch(prod.basis, /npm's cache/);
  assert.ok(prod.bytes < all.bytes);
});

test('npm install without a lockfile in the stage has no estimate', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt('FROM node:22-bookworm-slim\nWORKDIR /app\nRUN npm ci\n', { context: ctx });
  assert.equal(at(3).size, null);
  assert.match(at(3).sizeNote ?? '', /no lockfile copied to \/app/);
});

test('a node_modules folder sent with the context gives the real size', () => {
  const ctx: BuildContextFacts = {
    root: '/ctx',
    truncated: false,
    hasDockerignore: false,
    files: [
      { path: 'package-lock.json', bytes: 100 },
      { path: 'node_modules/a/index.js', bytes: 1234 },
      { path: 'node_modules/b/index.js', bytes: 4321 },
    ],
    contents: { 'package-lock.json': '{"packages":{"node_modules/a":{},"node_modules/b":{}}}' },
  };
  const at = stepsAt(
    'FROM node:22-alpine\nWORKDIR /app\nCOPY package-lock.json .\nRUN npm ci && npm cache clean --force\n',
    { context: ctx },
  );
  assert.equal(at(4).size?.bytes, 1234 + 4321);
  assert.match(at(4).size?.basis ?? '', /real size of node_modules in the build context/);
});
