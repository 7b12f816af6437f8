// The one harness of the engine suites (and of the e2e runners' build tests): a private dockerd, base images made
// offline (busybox from busybox-static, Debian from debootstrap), and fixture builds through the production build
// function. Nothing here is a test itself. Every dockerd started is stopped by its PID and its data root removed.
//
// Each test file declares its engine once, `const engineTest = engineSuite()`: one private dockerd for the whole
// file, started before its first test and stopped after its last; engineTest() is test() handing it that engine.
// Files do not share a dockerd: several tests assert that a first build is not served from the build cache, and
// files build the same fixtures under the same tags, so one file's builds must not leak into another's.
// On a machine where no dockerd can start (not installed, not root) the engine tests are skipped with the reason;
// with REQUIRE_DOCKER=1 (CI: .ci/run sets it) they fail instead.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test, type TestContext, type TestOptions } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { buildImage, type BuildOptions, type BuildOutcome } from '../../server/src/engine/build';
import { placeBuildRecords, type BuildStepRecord } from '../../server/src/analysis/image/buildSteps';
import type { DockerfileModel } from '../../server/src/analysis/model';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { assemble, baseImageOf, type MappedImage } from '../../server/src/analysis/image/map';
import type { EngineKind } from '../../server/src/engine/engineKind';
import { gatherImage } from '../../server/src/engine/measure';

const exec = promisify(execFile);

export interface TestEngine {
  /** unix:///tmp/.../docker.sock */
  host: string;
  socketPath: string;
  docker: Dockerode;
  /** The dockerd PID (from its pidfile). */
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** Repository root (out/test/engine/harness.js -> three levels up; test/engine/harness.ts -> two). */
export function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'server'))) return d;
    d = path.dirname(d);
  }
  return process.cwd();
}

export function fixturesDir(): string {
  return path.join(repoRoot(), 'test', 'fixtures', 'engine');
}

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** Why no private dockerd can start on this machine, or null when one can. */
export function whyNoEngine(): string | null {
  if (!which('dockerd')) return 'dockerd is not installed (apt-get install docker.io)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'dockerd needs root and this runs as a normal user';
  return null;
}

/**
 * A test that needs the engine: node:test's test(), given the file's engine. Skipped with the reason on a machine
 * where no dockerd can start; with REQUIRE_DOCKER=1 it fails there instead.
 */
export type EngineTest = (
  name: string,
  options: TestOptions,
  fn: (engine: TestEngine, t: TestContext) => Promise<void>,
) => void;

/**
 * The engine of one test file: a private dockerd started before the file's first test (with the busybox base image
 * when asked), stopped after its last. Call once, at the top of the file.
 */
export function engineSuite(bases: { busybox?: boolean } = {}): EngineTest {
  const missing = whyNoEngine();
  const required = process.env.REQUIRE_DOCKER === '1';
  if (missing && !required)
    console.log(`# SKIP engine tests: no Docker engine (${missing}); REQUIRE_DOCKER=1 makes this a failure.`);
  let engine: TestEngine | null = null;
  before(async () => {
    if (missing) {
      if (required) throw new Error(`engine tests: no Docker engine (${missing}); REQUIRE_DOCKER=1 makes it a failure`);
      return;
    }
    engine = await startEngine();
    if (bases.busybox) await ensureBusybox(engine);
  });
  after(async () => {
    await engine?.stop();
  });
  const skip = missing && !required ? `no Docker engine: ${missing}` : false;
  return (name, options, fn) => {
    test(name, { ...options, skip }, (t) => {
      if (!engine) throw new Error('the test engine did not start (see the before hook)');
      return fn(engine, t);
    });
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a private dockerd (own data root, exec root and socket); throws when it cannot or does not come up.
 * extraArgs: more dockerd flags (a tcp:// listener with TLS, remoteHarness.ts).
 */
export async function startEngine(extraArgs: string[] = []): Promise<TestEngine> {
  const missing = whyNoEngine();
  if (missing) throw new Error(`no Docker engine can start here: ${missing}`);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-engine-'));
  const socketPath = path.join(dir, 'docker.sock');
  const pidfile = path.join(dir, 'pid');
  const child = spawnDockerd(dir, socketPath, pidfile, extraArgs);
  const pidOf = async (): Promise<number> =>
    Number((await fs.promises.readFile(pidfile, 'utf8').catch(() => '')).trim()) || (child.pid ?? 0);
  const stop = async (): Promise<void> => stopDockerd(await pidOf(), dir);
  try {
    await waitUntilUp(child, socketPath);
  } catch (e) {
    const log = await fs.promises.readFile(path.join(dir, 'log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(e as Error).message}:\n${log.split('\n').slice(-15).join('\n')}`);
  }
  const docker = new Dockerode({ socketPath, timeout: 0 });
  return { host: `unix://${socketPath}`, socketPath, docker, pid: await pidOf(), dir, stop };
}

function spawnDockerd(dir: string, socketPath: string, pidfile: string, extraArgs: string[]): ChildProcess {
  const logFd = fs.openSync(path.join(dir, 'log'), 'a');
  const args = ['--data-root', path.join(dir, 'root'), '--exec-root', path.join(dir, 'exec')];
  args.push('-H', `unix://${socketPath}`, '--pidfile', pidfile, ...extraArgs);
  const child = spawn(which('dockerd') ?? 'dockerd', args, { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  child.unref();
  return child;
}

/** Polls /_ping until dockerd answers; rejects when it exits first or does not answer within 30 s. */
async function waitUntilUp(child: ChildProcess, socketPath: string): Promise<void> {
  let exited = child.exitCode !== null;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error('dockerd exited during start-up');
    try {
      await pingOnce(socketPath);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('dockerd did not answer /_ping within 30 s');
      await sleep(200);
    }
  }
}

/** Stops dockerd by its PID (TERM, then KILL), unmounts what it left under its folder and removes the folder. */
async function stopDockerd(pid: number, dir: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (!(pid > 0 && alive(pid))) break;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
    for (let i = 0; i < (signal === 'SIGTERM' ? 150 : 50) && alive(pid); i++) await sleep(100);
  }
  // dockerd leaves overlay mounts behind only when killed hard; unmount anything under our dir
  try {
    const mounts = (await fs.promises.readFile('/proc/self/mounts', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m && m.startsWith(dir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await exec('umount', ['-l', m]).catch(() => undefined);
  } catch {
    // not Linux
  }
  await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

function pingOnce(socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`ping ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function hasImage(engine: TestEngine, tag: string): Promise<boolean> {
  try {
    await engine.docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** `docker import` of a tar file as NAME:TAG; rejects with the engine's error. */
async function importTar(engine: TestEngine, tarFile: string, tag: string): Promise<void> {
  const [repo, t] = splitTag(tag);
  const stream = await engine.docker.importImage(
    fs.createReadStream(tarFile) as unknown as string,
    { repo, tag: t } as unknown as Record<string, string>,
  );
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = err ?? out.find((o) => o.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(String((failed as { error?: string }).error)));
      else resolve();
    });
  });
}

function splitTag(tag: string): [string, string] {
  const i = tag.lastIndexOf(':');
  if (i > 0 && !tag.slice(i).includes('/')) return [tag.slice(0, i), tag.slice(i + 1)];
  return [tag, 'latest'];
}

const BUSYBOX_APPLETS = [
  'sh',
  'ls',
  'cat',
  'rm',
  'dd',
  'mkdir',
  'cp',
  'mv',
  'echo',
  'true',
  'touch',
  'head',
  'sleep',
  'chmod',
  'env',
  'test',
  'ln',
  'du',
  'find',
  'stat',
  'wc',
  'sync',
];

/** A tiny base image: /bin/busybox and applet symlinks, imported (one history entry, empty CreatedBy). */
export async function ensureBusybox(engine: TestEngine, tag = 'busybox:latest'): Promise<void> {
  if (await hasImage(engine, tag)) return;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-busybox-'));
  try {
    for (const d of ['bin', 'tmp', 'etc', 'root']) await fs.promises.mkdir(path.join(root, d));
    await fs.promises.chmod(path.join(root, 'tmp'), 0o1777);
    await fs.promises.copyFile(busybox, path.join(root, 'bin', 'busybox'));
    await fs.promises.chmod(path.join(root, 'bin', 'busybox'), 0o755);
    for (const a of BUSYBOX_APPLETS) await fs.promises.symlink('busybox', path.join(root, 'bin', a));
    await fs.promises.writeFile(
      path.join(root, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    await fs.promises.writeFile(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tarFile = path.join(root, '..', `${path.basename(root)}.tar`);
    await exec('tar', ['-C', root, '-cf', tarFile, '.']);
    try {
      await importTar(engine, tarFile, tag);
    } finally {
      await fs.promises.rm(tarFile, { force: true });
    }
  } finally {
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

/** The Debian mirror apt uses on this machine. */
export function debianMirror(): string {
  const dir = '/etc/apt/sources.list.d';
  try {
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.sources'))
      .sort()) {
      const m = /^URIs:\s*(\S+)/m.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (m && /debian/.test(m[1])) return m[1];
    }
  } catch {
    // fall through
  }
  try {
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm/m.exec(fs.readFileSync('/etc/apt/sources.list', 'utf8'));
    if (m) return m[1];
  } catch {
    // fall through
  }
  return 'http://deb.debian.org/debian';
}

/** The official images' /etc/apt/apt.conf.d/docker-clean: no .deb files and no binary caches left in a layer. */
export const DOCKER_CLEAN = [
  'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
  'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
  'Dir::Cache::pkgcache "";',
  'Dir::Cache::srcpkgcache "";',
  '',
].join('\n');

/**
 * A Debian base image (default bookworm as debian:bookworm-slim) made with debootstrap (minbase) from the local
 * mirror, with the official images' docker-clean and without apt lists or downloaded archives. The rootfs tarball
 * is cached in <repo>/.cache/debian-<suite>-minbase.tar, so later runs only import it (seconds).
 */
export async function ensureDebian(
  engine: TestEngine,
  { suite = 'bookworm', tag = 'debian:bookworm-slim' }: { suite?: string; tag?: string } = {},
): Promise<void> {
  if (await hasImage(engine, tag)) return;
  const tarball = path.join(repoRoot(), '.cache', `debian-${suite}-minbase.tar`);
  if (!fs.existsSync(tarball)) await debootstrapTarball(suite, tarball);
  await importTar(engine, tarball, tag);
}

async function debootstrapTarball(suite: string, tarball: string): Promise<void> {
  if (!which('debootstrap')) throw new Error('debootstrap is not installed (apt-get install debootstrap)');
  await fs.promises.mkdir(path.dirname(tarball), { recursive: true });
  const rootfs = await fs.promises.mkdtemp(path.join(os.tmpdir(), `li-debian-${suite}-`));
  try {
    await exec('debootstrap', ['--variant=minbase', suite, rootfs, debianMirror()], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    await fs.promises.writeFile(path.join(rootfs, 'etc', 'apt', 'apt.conf.d', 'docker-clean'), DOCKER_CLEAN);
    // the official slim images ship no apt lists or downloaded archives
    await exec('sh', [
      '-c',
      `rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/cache/apt/*.bin`,
    ]);
    const tmp = `${tarball}.${process.pid}.tmp`;
    await exec('tar', ['--numeric-owner', '-C', rootfs, '-cf', tmp, '.'], { maxBuffer: 16 * 1024 * 1024 });
    await fs.promises.rename(tmp, tarball);
  } finally {
    await fs.promises.rm(rootfs, { recursive: true, force: true });
  }
}

/** The official images' apt/dpkg configuration (debuerreotype-minimizing-config, -slimify), as one RUN. */
function officialConfig(suite: string, slim: boolean): string {
  const lines = [
    "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
    'echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/docker-apt-speedup',
    `printf '%s\\n' ${DOCKER_CLEAN.split('\n')
      .filter(Boolean)
      .map((l) => `'${l}'`)
      .join(' ')} > /etc/apt/apt.conf.d/docker-clean`,
    `echo 'Acquire::GzipIndexes "true";' > /etc/apt/apt.conf.d/docker-gzip-indexes`,
    `echo 'Acquire::Languages "none";' > /etc/apt/apt.conf.d/docker-no-languages`,
    `echo 'Apt::AutoRemove::SuggestsImportant "false";' > /etc/apt/apt.conf.d/docker-autoremove-suggests`,
    'rm -f /etc/apt/sources.list',
    `printf 'Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: ${suite} ${suite}-updates\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n\\nTypes: deb\\nURIs: http://deb.debian.org/debian-security\\nSuites: ${suite}-security\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' > /etc/apt/sources.list.d/debian.sources`,
  ];
  if (slim) {
    const ex = [
      '/usr/share/doc/*',
      '/usr/share/groff/*',
      '/usr/share/info/*',
      '/usr/share/linda/*',
      '/usr/share/lintian/overrides/*',
      '/usr/share/locale/*',
      '/usr/share/man/*',
    ];
    const inc = [
      '/usr/share/doc/*/copyright',
      '/usr/share/doc/kde/HTML/C/*',
      '/usr/share/gnome/help/*/C/*',
      '/usr/share/locale/all_languages',
      '/usr/share/locale/currency/*',
      '/usr/share/locale/l10n/*',
      '/usr/share/locale/languages',
      '/usr/share/locale/locale.alias',
      '/usr/share/omf/*/*-C.emf',
    ];
    lines.push(
      `printf '%s\\n' ${[...ex.map((p) => `'path-exclude ${p}'`), ...inc.map((p) => `'path-include ${p}'`)].join(' ')} > /etc/dpkg/dpkg.cfg.d/docker`,
    );
    lines.push('find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete');
    lines.push(
      'rm -rf /usr/share/groff/* /usr/share/info/* /usr/share/linda/* /usr/share/lintian/overrides/* /usr/share/man/*',
    );
    lines.push(
      'find /usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -not -name languages -not -name all_languages -not -name currency -not -name l10n -exec rm -rf {} +',
    );
  }
  // the official images are rebuilt with the suite's -updates and -security packages; a base bootstrapped from the
  // suite alone has older ones, and an install that needs a newer one upgrades it inside the measured layer (a
  // trixie-security openssl made `apt-get install nginx ca-certificates` 6.8 MB larger by rewriting libssl3t64)
  lines.push(
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade && rm -rf /var/lib/apt/lists/*',
  );
  return lines.join(' && ');
}

/**
 * A Debian base made like the official images (debian:SUITE[-slim]): debootstrap minbase (ensureDebian) plus the
 * official images' apt/dpkg configuration, tagged with the official name.
 */
export async function ensureOfficialLike(e: TestEngine, suite: string, slim: boolean): Promise<void> {
  const minbase = `li-minbase:${suite}`;
  await ensureDebian(e, { suite, tag: minbase });
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-official-'));
  try {
    await fs.promises.writeFile(
      path.join(dir, 'Dockerfile'),
      `FROM ${minbase}\nRUN ${officialConfig(suite, slim)}\nCMD ["bash"]\n`,
    );
    await buildFixture(e, dir, { builder: 'legacy', tag: `debian:${suite}${slim ? '-slim' : ''}` });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** The production build options, with the fixture folder as context and a tag always given. */
export type FixtureBuildOptions = Omit<BuildOptions, 'context' | 'dockerfileText' | 'tag'> & { tag: string };

/** A build with its records placed on the model of the Dockerfile built (as the analysis places them). */
export interface PlacedOutcome extends BuildOutcome {
  model: DockerfileModel;
  steps: BuildStepRecord[];
}

/** Places a build's records on the Dockerfile it built, parsed with the build's options. */
export function placeOutcome(
  outcome: BuildOutcome,
  opts: Pick<BuildOptions, 'target' | 'buildArgs' | 'builder'>,
): PlacedOutcome {
  const model = parseDockerfile(outcome.dockerfileText, {
    target: opts.target,
    buildArgs: opts.buildArgs,
    buildkit: opts.builder === 'buildkit',
  });
  return { ...outcome, model, steps: placeBuildRecords(model, opts.builder, outcome.records) };
}

/** Builds a fixture folder with the production build function; throws with the build log when it fails. */
export async function buildFixture(engine: TestEngine, dir: string, opts: FixtureBuildOptions): Promise<PlacedOutcome> {
  const outcome = await buildImage(engine.docker, {
    ...opts,
    context: dir,
    dockerfile: opts.dockerfile ?? 'Dockerfile',
    timeoutMs: opts.timeoutMs ?? 5 * 60_000,
  });
  if (!outcome.ok)
    throw new Error(
      `build of ${dir} (${opts.builder}) failed: ${outcome.message}\n${outcome.log.slice(-30).join('\n')}`,
    );
  return placeOutcome(outcome, opts);
}

/** Runs the image's default command; its exit code and what it printed. */
export async function runImage(e: TestEngine, image: string): Promise<{ code: number; output: string }> {
  const container = await e.docker.createContainer({ Image: image, Tty: false });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    err.on('data', (c: Buffer) => chunks.push(c));
    e.docker.modem.demuxStream(bufferStream(raw), out, err);
    await new Promise((r) => setImmediate(r));
    return { code: result.StatusCode, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    await container.remove({ force: true });
  }
}

function bufferStream(buf: Buffer): PassThrough {
  const s = new PassThrough();
  s.end(buf);
  return s;
}

/**
 * What measuring an image is since the engine module stopped reading Dockerfiles: the engine gathers (its base image
 * named by the analysis), the analysis maps it to the model.
 */
export async function measureImage(
  docker: Dockerode,
  ref: string,
  model: DockerfileModel,
  opts: { buildSteps?: BuildStepRecord[]; layers?: boolean; engineKind?: EngineKind } = {},
): Promise<MappedImage> {
  const gathered = await gatherImage(docker, ref, {
    baseImage: baseImageOf(model),
    layers: opts.layers,
    engineKind: opts.engineKind,
  });
  return assemble(gathered, model, opts.buildSteps);
}
