// Shared by both e2e runners: build the extension and the tests, lay out a fresh copy of the fixture workspace,
// and start a private Docker engine for the build tests with the engine suite's harness (when it is there).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'test', 'e2e', 'screenshots');
export const TESTS_PATH = path.join(ROOT, 'out', 'test', 'e2e', 'suite');
const require = createRequire(import.meta.url);

export const log = (msg) => console.log(`[e2e] ${msg}`);

/** dist/ (the extension as users get it) and out/ (the compiled tests). */
export function buildAll() {
  const t0 = Date.now();
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('npm', ['run', '--silent', 'compile-tests'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(path.join(TESTS_PATH, 'index.js'))) throw new Error(`compiled tests missing: ${TESTS_PATH}/index.js`);
  log(`extension and tests built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** A fresh copy of test/e2e/fixtures/workspace, so that edits made by the tests never touch the repository. */
export function freshWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(ROOT, 'test', 'e2e', 'fixtures', 'workspace'), dir, { recursive: true });
  return dir;
}

/**
 * A private dockerd with a busybox base image, from the engine suite's harness (out/test/engine/harness.js).
 * Returns { host, stop } or { host: null, reason }. With REQUIRE_DOCKER=1 a missing engine throws.
 */
export async function startTestEngine(baseImage) {
  const harnessPath = path.join(ROOT, 'out', 'test', 'engine', 'harness.js');
  const missing = (reason) => {
    if (process.env.REQUIRE_DOCKER === '1')
      throw new Error(`no test engine: ${reason}; REQUIRE_DOCKER=1 makes this a failure`);
    log(`no test engine (${reason}): the build tests will be skipped; REQUIRE_DOCKER=1 makes this a failure`);
    return { host: null, reason, stop: async () => {} };
  };
  if (!existsSync(harnessPath)) return missing('the engine harness test/engine/harness.ts is not in this tree');
  const harness = require(harnessPath);
  const why = harness.whyNoEngine();
  if (why) return missing(why);
  const t0 = Date.now();
  const engine = await harness.startEngine();
  try {
    await harness.ensureBusybox(engine, baseImage);
  } catch (e) {
    await engine.stop();
    return missing(`could not make the ${baseImage} base image: ${e instanceof Error ? e.message : e}`);
  }
  log(
    `private dockerd at ${engine.host} (pid ${engine.pid}) with ${baseImage}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { host: engine.host, stop: () => engine.stop() };
}

/** The base image the engine fixture builds FROM (made offline from busybox-static). */
export const BASE_IMAGE = 'busybox:1.36';
