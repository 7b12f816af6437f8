// What npm ci / npm install / yarn / pnpm add to a RUN layer (server/src/analysis/estimate/run/npm.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../../../server/src/analysis/model';
import { npmTable } from '../../../../server/src/analysis/estimate/npmTable';
import { nodeEstimate } from '../../../../server/src/analysis/estimate/run/npm';
import { readRun } from '../../../../server/src/analysis/estimate/run/read';
import { newStageState } from '../../../../server/src/analysis/estimate/stage';
import { readNodeInstall } from '../../../../server/src/analysis/packageCommands';
import { commandsOf } from '../../../../server/src/analysis/shell';
import { fixtureContext, stepsAt } from '../helpers';

/** A context with one package-lock.json (v3) of the given packages. */
function lockContext(packages: Record<string, object>, extra: Partial<BuildContextFacts> = {}): BuildContextFacts {
  const text = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, ...packages } });
  return {
    root: '/ctx',
    truncated: false,
    hasDockerignore: false,
    files: [{ path: 'package-lock.json', bytes: text.length }, ...(extra.files ?? [])],
    contents: { 'package-lock.json': text, ...(extra.contents ?? {}) },
  };
}

const df = (...lines: string[]) => lines.join('\n') + '\n';

test('npm ci sizes the lockfile the stage copied in; --omit=dev drops dev packages, a cache clean drops the cache', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt(
    df(
      'FROM node:22-bookworm-slim',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'RUN npm ci --omit=dev && npm cache clean --force',
    ),
    { context: ctx },
  );
  const all = at(4).size;
  const prod = at(5).size;
  assert.ok(all && prod);
  assert.match(all.basis, /4 packages of package-lock\.json for linux\/amd64 glibc/);
  assert.match(all.basis, /MB of npm's cache left in the layer/);
  assert.match(prod.basis, /3 packages of package-lock\.json for linux\/amd64 glibc without dev dependencies/);
  assert.doesNotMatch(prod.basis, /npm's cache left/);
  assert.ok(prod.bytes < all.bytes);
});

test('ENV NODE_ENV=production (or an ARG of it) drops dev dependencies as --omit=dev does', () => {
  const ctx = lockContext({
    'node_modules/express': { version: '4.21.2', resolved: 'r' },
    'node_modules/typescript': { version: '5.9.3', dev: true, resolved: 'r' },
  });
  const body = ['WORKDIR /app', 'COPY package-lock.json .', 'RUN npm ci && npm cache clean --force'];
  const dev = stepsAt(df('FROM node:22-bookworm-slim', ...body), { context: ctx })(4).size;
  const env = stepsAt(df('FROM node:22-bookworm-slim', 'ENV NODE_ENV=production', ...body), { context: ctx })(5).size;
  const arg = stepsAt(df('FROM node:22-bookworm-slim', 'ARG NODE_ENV=production', ...body), { context: ctx })(5).size;
  assert.ok(dev && env && arg);
  assert.match(env.basis, /1 packages .* without dev dependencies/);
  assert.equal(arg.bytes, env.bytes);
  // typescript is tens of MB: leaving it out must show
  assert.ok(dev.bytes > env.bytes + 10e6, `${dev.bytes} vs ${env.bytes}`);
});

test('optional platform packages: the target os/cpu/libc only (glibc on Debian, musl on Alpine, arm64 by --platform)', () => {
  const swc = (v: string) => ({ version: '15.3.3', optional: true, os: ['linux'], resolved: 'r', ...JSON.parse(v) });
  const ctx = lockContext({
    'node_modules/@next/swc-linux-x64-gnu': swc('{"cpu":["x64"],"libc":["glibc"]}'),
    'node_modules/@next/swc-linux-x64-musl': swc('{"cpu":["x64"],"libc":["musl"]}'),
    'node_modules/@next/swc-linux-arm64-gnu': swc('{"cpu":["arm64"],"libc":["glibc"]}'),
    'node_modules/@next/swc-darwin-arm64': { ...swc('{"cpu":["arm64"]}'), os: ['darwin'] },
  });
  const body = ['WORKDIR /app', 'COPY package-lock.json .', 'RUN npm ci && npm cache clean --force'];
  const size = (from: string) => stepsAt(df(from, ...body), { context: ctx })(4).size;
  const debian = size('FROM node:22-bookworm-slim');
  const alpine = size('FROM node:22-alpine');
  const arm = size('FROM --platform=linux/arm64 node:22-bookworm-slim');
  assert.match(debian?.basis ?? '', /1 packages .* for linux\/amd64 glibc \(3 for other platforms left out\)/);
  assert.match(alpine?.basis ?? '', /1 packages .* for linux\/amd64 musl/);
  assert.match(arm?.basis ?? '', /1 packages .* for linux\/arm64 glibc/);
  // each is one native binary of tens of MB, not four of them
  for (const s of [debian, alpine, arm]) assert.ok(s && s.bytes > 20e6 && s.bytes < 250e6, String(s?.bytes));
});

test("npm's cache is counted when the RUN keeps it: tarballs, plus registry documents without `resolved`", () => {
  const pkgs = (resolved: boolean) =>
    lockContext({
      'node_modules/express': { version: '4.21.2', ...(resolved ? { resolved: 'r' } : {}) },
      'node_modules/typescript': { version: '5.9.3', ...(resolved ? { resolved: 'r' } : {}) },
    });
  const body = df('FROM node:22-bookworm-slim', 'WORKDIR /app', 'COPY package-lock.json .', 'RUN npm ci');
  const clean = stepsAt(body.replace('RUN npm ci', 'RUN npm ci && npm cache clean --force'), {
    context: pkgs(true),
  })(4).size;
  const mount = stepsAt(body.replace('RUN npm ci', 'RUN --mount=type=cache,target=/root/.npm npm ci'), {
    context: pkgs(true),
  })(4).size;
  const kept = stepsAt(body, { context: pkgs(true) })(4).size;
  const docs = stepsAt(body, { context: pkgs(false) })(4).size;
  assert.ok(clean && mount && kept && docs);
  assert.equal(mount.bytes, clean.bytes);
  assert.ok(kept.bytes > clean.bytes);
  assert.ok(docs.bytes > kept.bytes);
});

test('npm install -g of a CLI whose tree the table holds is sized whole; an unknown package is a lower bound', () => {
  const table = npmTable();
  const state = newStageState(null, 'node:22-bookworm-slim');
  const size = (text: string) => {
    const at = stepsAt(df('FROM node:22-bookworm-slim', text));
    const step = at(2).step;
    const install = commandsOf(step)
      .map(readNodeInstall)
      .find((x) => x !== null);
    assert.ok(install);
    return nodeEstimate(step, state, {}, install, readRun(step, null));
  };
  assert.ok(table.globalTree('n8n'), 'the table holds the tree of n8n');
  const n8n = size('RUN npm install -g n8n');
  assert.equal(n8n.lowerBound, undefined);
  assert.match(n8n.text, /dependency tree resolved for the table/);
  // n8n installs hundreds of MB, not the 480 kB of a package without its dependencies
  assert.ok((n8n.bytes ?? 0) > 100e6, String(n8n.bytes));
  const unknown = size('RUN npm install -g not-measured-anywhere-xyz');
  assert.equal(unknown.lowerBound, true);
  assert.match(unknown.text, /without its dependencies \(not known: a lower bound\)/);
});

test('npm install without a lockfile in the stage has no estimate', async () => {
  const ctx = await fixtureContext('estimate-context');
  const at = stepsAt('FROM node:22-bookworm-slim\nWORKDIR /app\nRUN npm ci\n', { context: ctx });
  assert.equal(at(3).size, null);
  assert.match(at(3).sizeNote ?? '', /no lockfile copied to \/app/);
});

test("a node_modules sent with the context gives a package's real size when its version is the lockfile's", () => {
  const hidden = (v: string) =>
    JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/left-pad': { version: v } } });
  const ctx = (v: string) =>
    lockContext(
      { 'node_modules/left-pad': { version: '1.3.0', resolved: 'r' } },
      {
        files: [
          { path: 'node_modules/left-pad/index.js', bytes: 1234 },
          { path: 'node_modules/left-pad/package.json', bytes: 4321 },
          { path: 'node_modules/.package-lock.json', bytes: 100 },
        ],
        contents: { 'node_modules/.package-lock.json': hidden(v) },
      },
    );
  const text = df(
    'FROM node:22-alpine',
    'WORKDIR /app',
    'COPY package-lock.json .',
    'RUN npm ci && npm cache clean --force',
  );
  const same = stepsAt(text, { context: ctx('1.3.0') })(4).size;
  const other = stepsAt(text, { context: ctx('1.1.0') })(4).size;
  assert.match(same?.basis ?? '', /1 at their real size in the context's node_modules/);
  assert.doesNotMatch(other?.basis ?? '', /real size/);
  const lockBytes = ctx('1.3.0').contents?.['package-lock.json']?.length ?? 0;
  assert.equal(same?.bytes, 1234 + 4321 + lockBytes);
});
