// `npm run test:e2e:electron`: the same e2e suite (out/test/e2e/suite) in desktop VS Code, through
// @vscode/test-electron. For a desktop machine with internet access: it downloads VS Code (VSCODE_VERSION,
// default "stable") into .vscode-test/. It cannot run on the offline build machines; use `npm run test:e2e` there.
// On Linux without a display, run it under xvfb-run. Screenshots are taken only by the code-server runner.
// When the engine suite's harness can start a private dockerd (Linux, root, docker.io installed), the build tests
// run against it; otherwise they are skipped (REQUIRE_DOCKER=1 makes that a failure).

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, buildAll, freshWorkspace, log, ROOT, startTestEngine, TESTS_PATH } from './prepare.mjs';

const { runTests } = await import('@vscode/test-electron');

buildAll();
const workspace = freshWorkspace(path.join(mkdtempSync(path.join(os.tmpdir(), 'li-e2e-')), 'workspace'));
const results = path.join(path.dirname(workspace), 'results.json');
const engine = await startTestEngine(BASE_IMAGE);
let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: TESTS_PATH,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv: {
      E2E_RESULTS: results,
      E2E_ENGINE: engine.host ? 'available' : `none: ${engine.reason}`,
      E2E_BASE_IMAGE: BASE_IMAGE,
      ...(engine.host ? { DOCKER_HOST: engine.host } : {}),
    },
  }).then(
    () => 0,
    (e) => {
      console.error('[e2e]', e instanceof Error ? e.message : e);
      return 1;
    },
  );
} finally {
  await engine.stop();
}
log(`results in ${results}; exit code ${code}`);
process.exit(code);
