// `npm run test:e2e`: the e2e suite inside a real VS Code, offline.
//
// code-server (VS Code 1.139 as a web app, on Node 24, both from the npm registry; installed once under .e2e/)
// runs with --vscode-option enable-smoke-test-driver, which makes its workbench honour the `payload` URL
// parameter: extensionDevelopmentPath (this repository) and extensionTestsPath (out/test/e2e/suite), both as
// vscode-remote:// URIs. Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) opens that URL;
// the tests then run inside code-server's extension host. Their console output reaches us through
// window.codeAutomationLog and their result through window.codeAutomationExit(code), which becomes our exit code.
// Tests ask for screenshots with GET /shot?name=X on a small server here (E2E_SHOT_URL).
// code-server, Chromium and the private dockerd are always stopped, whatever happens. What the machine must provide
// (Chromium; compilers and headers while code-server is not built yet) is checked first: exit 2 naming the Debian
// packages to install.
//
// Env: REQUIRE_DOCKER=1 (a missing engine fails the run), E2E_TIMEOUT_MS (default 300000), VERBOSE=1 (page
// console), E2E_GREP (run only tests whose title matches), E2E_DIR (default .e2e).

import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';
import { E2E_DIR, ensureInstalled } from './setup.mjs';
import {
  BASE_IMAGE,
  buildAll,
  freshWorkspace,
  log,
  ROOT,
  SCREENSHOTS,
  startTestEngine,
  TESTS_PATH,
} from './prepare.mjs';

// What the web workbench logs about itself offline (no GitHub sign-in, no extension gallery, chat, sockets):
// hidden unless VERBOSE=1, so that the test output stays readable. Test output never matches.
const WORKBENCH_NOISE = new RegExp(
  [
    '^\\[AgentHost\\]',
    '^\\[ChatModelSelection\\]',
    '^\\[AccountPolicyGate\\]',
    '^\\[Service Worker\\]',
    '^\\[reconnection-grace-time\\]',
    'open-vsx\\.org',
    "authentication provider 'github'",
    '^Creating a socket',
    '^Resolv(ing|ed) connection token',
    '^Updating additional builtin extensions',
    '^Creation of workbench contribution',
    '/static/out/vs/code/browser/workbench/workbench\\.js:',
  ].join('|'),
);

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const cleanups = [];
let finishing = false;

async function cleanup() {
  while (cleanups.length) {
    const c = cleanups.pop();
    try {
      await c();
    } catch (e) {
      console.error('[e2e] cleanup:', e instanceof Error ? e.message : e);
    }
  }
}

async function finish(code, why) {
  if (finishing) return;
  finishing = true;
  log(`${why}: exit code ${code} after ${elapsed()}`);
  await cleanup();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void finish(130, `interrupted (${sig})`));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startCodeServer(paths, port, workspace, env) {
  const data = path.join(paths.e2eDir, 'run', 'cs-data');
  rmSync(data, { recursive: true, force: true });
  for (const d of ['ud', 'ext', 'xdg/config', 'xdg/data', 'xdg/cache'])
    mkdirSync(path.join(data, d), { recursive: true });
  // the test profile: no AI chat panel or chat code actions, no minimap, no startup editor (cleaner screenshots)
  mkdirSync(path.join(data, 'ud', 'User'), { recursive: true });
  writeFileSync(
    path.join(data, 'ud', 'User', 'settings.json'),
    JSON.stringify(
      {
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.startupEditor': 'none',
        'editor.minimap.enabled': false,
        'workbench.tips.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
  const logFile = path.join(paths.e2eDir, 'run', 'code-server.log');
  const out = openSync(logFile, 'w');
  const args = [
    paths.codeServerEntry,
    '--config',
    path.join(data, 'config.yaml'),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--user-data-dir',
    path.join(data, 'ud'),
    '--extensions-dir',
    path.join(data, 'ext'),
    '--vscode-option',
    'enable-smoke-test-driver',
    workspace,
  ];
  // its own process group, so that stopping it also stops the extension host and the language server
  const child = spawn(paths.nodeBin, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...env,
      PATH: `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH}`,
      // keep code-server and VS Code from writing under $HOME
      XDG_CONFIG_HOME: path.join(data, 'xdg/config'),
      XDG_DATA_HOME: path.join(data, 'xdg/data'),
      XDG_CACHE_HOME: path.join(data, 'xdg/cache'),
    },
  });
  cleanups.push(async () => {
    if (!child.pid || !alive(child.pid)) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 50 && alive(child.pid); i++) await sleep(100);
    if (alive(child.pid))
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    log(`code-server (pid ${child.pid}) stopped`);
  });
  let exited = null;
  child.on('exit', (code) => {
    exited = code;
  });
  for (let i = 0; i < 120; i++) {
    if (exited !== null)
      throw new Error(
        `code-server exited with ${exited} during start-up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
    const ok = await new Promise((resolve) => {
      http
        .get(`http://127.0.0.1:${port}/healthz`, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) return child;
    await sleep(250);
  }
  throw new Error(`code-server did not answer /healthz within 30 s; see ${logFile}`);
}

/** An executable file at `file`, or of that name on PATH. */
function findProgram(name) {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, name));
  return candidates.find((f) => {
    try {
      accessSync(f, constants.X_OK);
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * What the run needs from the machine, checked before anything is installed or built: Chromium always; the
 * compilers and headers of code-server's native modules (kerberos needs libkrb5-dev's krb5-config and gssapi.h,
 * node-gyp needs make, g++ and python3, pkg-config) only while code-server is not installed yet.
 * Returns the Debian packages to install for what is missing.
 */
function missingPrerequisites() {
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const missing = [];
  if (!findProgram(chromium)) missing.push({ what: `Chromium (${chromium}; or set CHROMIUM)`, pkg: 'chromium' });
  const built = existsSync(path.join(E2E_DIR, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'));
  if (!built) {
    if (!findProgram('krb5-config') || !existsSync('/usr/include/gssapi/gssapi.h'))
      missing.push({ what: 'krb5-config and gssapi.h (Kerberos headers)', pkg: 'libkrb5-dev' });
    if (!findProgram('pkg-config')) missing.push({ what: 'pkg-config', pkg: 'pkg-config' });
    if (!findProgram('make') || !findProgram('g++')) missing.push({ what: 'make and g++', pkg: 'build-essential' });
    if (!findProgram('python3')) missing.push({ what: 'python3 (node-gyp)', pkg: 'python3' });
  }
  return missing;
}

async function main() {
  const missing = missingPrerequisites();
  if (missing.length) {
    console.error(`[e2e] missing: ${missing.map((m) => m.what).join('; ')}`);
    console.error(`[e2e] install them first: apt-get install ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`);
    process.exit(2);
  }
  const paths = ensureInstalled();
  buildAll();
  const runDir = path.join(paths.e2eDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const workspace = freshWorkspace(path.join(runDir, 'workspace'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const results = path.join(runDir, 'results.json');
  rmSync(results, { force: true });

  const engine = await startTestEngine(BASE_IMAGE);
  cleanups.push(async () => {
    if (engine.host) {
      await engine.stop();
      log('private dockerd stopped');
    }
  });

  const [csPort, shotPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    E2E_SHOT_URL: `http://127.0.0.1:${shotPort}/shot`,
    E2E_RESULTS: results,
    E2E_ENGINE: engine.host ? 'available' : `none: ${engine.reason}`,
    E2E_BASE_IMAGE: BASE_IMAGE,
  };
  if (engine.host)
    env.DOCKER_HOST = engine.host; // the language server finds the engine through DOCKER_HOST
  else delete env.DOCKER_HOST;
  const tcs = Date.now();
  await startCodeServer(paths, csPort, workspace, env);
  log(`code-server listening on 127.0.0.1:${csPort} after ${((Date.now() - tcs) / 1000).toFixed(1)} s`);

  const require = createRequire(path.join(paths.playwrightCore, 'package.json'));
  const { chromium } = require(paths.playwrightCore);
  const chromeData = path.join(runDir, 'chrome');
  rmSync(chromeData, { recursive: true, force: true });
  const browser = await chromium.launchPersistentContext(chromeData, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(runDir, 'cs-data/xdg/config'),
      XDG_CACHE_HOME: path.join(runDir, 'cs-data/xdg/cache'),
    },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanups.push(async () => {
    await browser.close().catch(() => undefined);
    log('Chromium stopped');
  });
  const page = browser.pages()[0] ?? (await browser.newPage());

  // What the tests may ask of the browser side (they run in the extension host and cannot see the page):
  //   GET /shot?name=X[&waitFor=CSS][&timeout=ms]  wait (optionally) for a visible element, then save X.png;
  //                                                answers {"file", "found"} (found: whether waitFor appeared)
  //   GET /sidebar?width=PX                        drag the primary side bar's edge so that it is PX wide
  //   GET /press?key=Control+Period                press keys, as a person would
  const shots = http
    .createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      try {
        if (url.pathname === '/press') {
          await page.keyboard.press(url.searchParams.get('key') ?? 'Escape');
          res.end(JSON.stringify({ ok: true }));
          return;
        }
        if (url.pathname === '/sidebar') {
          const box = await page.locator('.part.sidebar').boundingBox();
          if (!box) throw new Error('no side bar on screen');
          const y = box.y + box.height / 2;
          await page.mouse.move(box.x + box.width - 1, y);
          await page.mouse.down();
          await page.mouse.move(box.x + Number(url.searchParams.get('width') ?? 400), y, { steps: 8 });
          await page.mouse.up();
          res.end(JSON.stringify({ ok: true }));
          return;
        }
        const name = (url.searchParams.get('name') ?? 'shot').replace(/[^\w.-]/g, '_');
        const file = path.join(SCREENSHOTS, `${name}.png`);
        const waitFor = url.searchParams.get('waitFor');
        let found = null;
        if (waitFor) {
          found = await page
            .locator(waitFor)
            .first()
            .waitFor({ state: 'visible', timeout: Number(url.searchParams.get('timeout') ?? 10_000) })
            .then(
              () => true,
              () => false,
            );
        }
        if (found === false) {
          // what was on screen instead, to tell a missing widget from a focus or timing problem
          const why = await page
            .evaluate(
              (sel) => ({
                hasFocus: document.hasFocus(),
                active: document.activeElement
                  ? `${document.activeElement.tagName}.${String(document.activeElement.className).slice(0, 80)}`
                  : null,
                matches: document.querySelectorAll(sel).length,
                toasts: document.querySelectorAll('.notification-toast').length,
                actionWidgets: document.querySelectorAll('.action-widget').length,
                bell: document.querySelector('[id="status.notifications"] a')?.getAttribute('aria-label') ?? null,
                centerItems: document.querySelectorAll('.notifications-center .notification-list-item').length,
                contextViews: document.querySelectorAll('.context-view').length,
              }),
              waitFor,
            )
            .catch((e) => String(e));
          log(`${waitFor} not visible: ${JSON.stringify(why)}`);
        }
        await page.screenshot({ path: file });
        log(
          `screenshot ${path.relative(ROOT, file)} at ${elapsed()}${waitFor ? ` (${waitFor}: ${found ? 'shown' : 'NOT shown'})` : ''}`,
        );
        res.end(JSON.stringify({ file, found }));
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
    })
    .listen(shotPort, '127.0.0.1');
  cleanups.push(() => new Promise((r) => shots.close(() => r())));

  page.on('console', (m) => {
    if (process.env.VERBOSE === '1' && !/Failed to load resource/.test(m.text()))
      console.log(`[page:${m.type()}] ${m.text().slice(0, 500)}`);
  });
  page.on('pageerror', (e) => console.log('[pageerror]', String(e).slice(0, 300)));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(args ?? []));
    if (process.env.VERBOSE !== '1' && WORKBENCH_NOISE.test(line)) return;
    if (type === 'error') console.error(line);
    else console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', async (code, logs) => {
    const dir = path.join(runDir, 'logs');
    rmSync(dir, { recursive: true, force: true });
    for (const { relativePath, contents } of logs ?? []) {
      const f = path.join(dir, relativePath);
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, contents);
    }
    await finish(code, `tests finished (VS Code logs in ${path.relative(ROOT, dir)})`);
  });

  const host = `127.0.0.1:${csPort}`;
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(TESTS_PATH)],
    ['skipWelcome', 'true'],
  ];
  const url = `http://${host}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  log(`opening the workbench in Chromium at ${elapsed()}`);
  // only wait for the navigation to start: the workbench's own loading is covered by the run's timeout
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 300_000);
  // the timer also keeps the process alive until codeAutomationExit
  setTimeout(
    () => void finish(124, `timed out after ${timeout / 1000} s (no result from the extension host)`),
    timeout,
  );
}

main().catch(async (e) => {
  console.error('[e2e]', e instanceof Error ? (e.stack ?? e.message) : e);
  await finish(1, 'runner failed');
});
