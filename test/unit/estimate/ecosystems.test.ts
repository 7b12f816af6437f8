import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../../server/src/analysis/model';
import { lockPackages } from '../../../server/src/analysis/estimate/run';
import { requirementNames } from '../../../server/src/analysis/estimate/packages';
import { fixtureContext, stepsAt } from './helpers';

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

test('lockfile readers: npm v3, npm v1, yarn classic', () => {
  assert.deepEqual(
    lockPackages(
      '{"packages":{"":{},"node_modules/a":{},"node_modules/a/node_modules/b":{"dev":true}}}',
      'package-lock.json',
      true,
    ),
    ['a'],
  );
  // (names are counted and sized, in no particular order)
  assert.deepEqual(
    lockPackages(
      '{"dependencies":{"a":{"dependencies":{"b":{}}},"c":{"dev":true}}}',
      'package-lock.json',
      false,
    )?.sort(),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    lockPackages(
      '# yarn lockfile v1\n\n"@scope/x@^1.0.0", "@scope/x@^1.1.0":\n  version "1.1.0"\n\nleft-pad@^1.3.0:\n  version "1.3.0"\n',
      'yarn.lock',
      false,
    ),
    ['@scope/x', 'left-pad'],
  );
  assert.equal(lockPackages('not json', 'package-lock.json', false), null);
});

test('pip install -r reads the requirements the stage copied in', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    [
      'FROM python:3.12-slim',
      'WORKDIR /srv',
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'RUN pip install -r requirements.txt',
      'RUN pip install -r missing.txt',
    ].join('\n'),
    { context: ctx },
  );
  const noCache = at(4).size;
  const cached = at(5).size;
  assert.ok(noCache && cached);
  assert.match(noCache.basis, /3 requirements from requirements\.txt/);
  assert.ok(cached.bytes > noCache.bytes, 'the wheel cache stays without --no-cache-dir');
  assert.equal(at(6).size, null);
  assert.match(at(6).sizeNote ?? '', /missing\.txt/);
  assert.deepEqual(
    requirementNames('# c\nNumPy==2.0\nrequests[socks]>=2  # x\n-r other.txt\ngit+https://x/y.git#egg=my_pkg\n'),
    ['numpy', 'requests', 'my-pkg'],
  );
});

test('apk add: fallback table with dependencies, --virtual groups deleted in the same RUN cost nothing', () => {
  const at = stepsAt(
    [
      'FROM alpine:3.24',
      'RUN apk add --no-cache curl',
      'RUN apk add --no-cache --virtual .build-deps gcc musl-dev && make && apk del .build-deps',
      'RUN apk add --no-cache curl',
      'RUN apk add some-unknown-package',
    ].join('\n'),
  );
  const curl = at(2).size;
  assert.ok(curl);
  assert.match(curl.basis, /fallback table of Alpine 3\.24 installed sizes/);
  assert.ok(curl.bytes > 1e6, 'curl brings libcurl and its libraries');
  const build = at(3).size;
  assert.match(build?.basis ?? '', /deleted in the same RUN/);
  assert.match(build?.basis ?? '', /make/, 'make is not estimated and said so');
  assert.equal(at(4).size?.bytes, 0, 'already installed');
  assert.match(at(5).size?.basis ?? '', /not in it at .* MB each \(heuristic\)/);
  assert.match(at(5).size?.basis ?? '', /APKINDEX cache/);
});

test('RUN with commands we cannot size: null with the command named; trivial commands ~0', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN ./configure && make install\nRUN mkdir -p /data && ln -s /data /d\n',
  );
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /configure/);
  assert.equal(at(3).size?.bytes, 0);
});
