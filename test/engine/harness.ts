// Test support for the engine suites: a private dockerd per test file, base images made offline (busybox from
// busybox-static, Debian from debootstrap), and fixture builds through the production build function.
// Nothing here is a test itself. Every dockerd started is stopped by its PID and its data root removed.

import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { buildImage, type BuildOptions, type BuildOutcome } from '../../server/src/engine/build';

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

function unavailable(reason: string): null {
  const msg = `engine tests: no Docker engine available (${reason})`;
  if (process.env.REQUIRE_DOCKER === '1') throw new Error(`${msg}; REQUIRE_DOCKER=1 makes this a failure`);
  console.log(`# SKIP ${msg}. Install docker.io and run as root, or set REQUIRE_DOCKER=1 to make this fail.`);
  return null;
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

/** Starts a private dockerd; null (with a message) when that is impossible, unless REQUIRE_DOCKER=1. */
export async function startEngine(): Promise<TestEngine | null> {
  const dockerd = which('dockerd');
  if (!dockerd) return unavailable('dockerd is not installed');
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return unavailable('dockerd needs root and this runs as a normal user');

  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-engine-'));
  const socketPath = path.join(dir, 'docker.sock');
  const pidfile = path.join(dir, 'pid');
  const logFd = fs.openSync(path.join(dir, 'log'), 'a');
  const child = spawn(
    dockerd,
    [
      '--data-root',
      path.join(dir, 'root'),
      '--exec-root',
      path.join(dir, 'exec'),
      '-H',
      `unix://${socketPath}`,
      '--pidfile',
      pidfile,
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  child.unref();
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });

  const docker = new Dockerode({ socketPath, timeout: 0 });
  const host = `unix://${socketPath}`;
  const stop = async (): Promise<void> => {
    let pid = child.pid ?? 0;
    try {
      pid = Number((await fs.promises.readFile(pidfile, 'utf8')).trim()) || pid;
    } catch {
      // no pidfile: use the child's PID
    }
    if (pid > 0 && alive(pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 150 && alive(pid); i++) await sleep(100);
      if (alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      }
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
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const log = await fs.promises.readFile(path.join(dir, 'log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`dockerd exited during start-up:\n${log.split('\n').slice(-15).join('\n')}`);
    }
    try {
      await pingOnce(socketPath);
      break;
    } catch {
      if (Date.now() > deadline) {
        const log = await fs.promises.readFile(path.join(dir, 'log'), 'utf8').catch(() => '');
        await stop();
        throw new Error(`dockerd did not answer /_ping within 30 s:\n${log.split('\n').slice(-15).join('\n')}`);
      }
      await sleep(200);
    }
  }
  let pid = child.pid ?? 0;
  try {
    pid = Number((await fs.promises.readFile(pidfile, 'utf8')).trim()) || pid;
  } catch {
    // keep the child's PID
  }
  return { host, socketPath, docker, pid, dir, stop };
}

async function pingOnce(socketPath: string): Promise<void> {
  const http = await import('node:http');
  await new Promise<void>((resolve, reject) => {
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

/** `docker import` of a tar file or stream; resolves with the image ID. */
async function importTar(engine: TestEngine, tar: NodeJS.ReadableStream, tag: string): Promise<void> {
  const [repo, t] = splitTag(tag);
  const stream = await engine.docker.importImage(tar, { repo, tag: t } as unknown as Record<string, string>);
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
      await importTar(engine, fs.createReadStream(tarFile), tag);
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

const DOCKER_CLEAN = [
  'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
  'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
  'Dir::Cache::pkgcache "";',
  'Dir::Cache::srcpkgcache "";',
  '',
].join('\n');

/**
 * A Debian bookworm base made with debootstrap (minbase) from the local mirror, with the official images'
 * /etc/apt/apt.conf.d/docker-clean. The rootfs tarball is cached in <repo>/.cache/ so later runs take seconds.
 */
export async function ensureDebian(engine: TestEngine, tag = 'debian:bookworm-slim'): Promise<void> {
  if (await hasImage(engine, tag)) return;
  const cacheDir = path.join(repoRoot(), '.cache');
  const tarball = path.join(cacheDir, 'debian-bookworm-minbase.tar');
  if (!fs.existsSync(tarball)) {
    if (!which('debootstrap')) throw new Error('debootstrap is not installed (apt-get install debootstrap)');
    await fs.promises.mkdir(cacheDir, { recursive: true });
    const rootfs = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-debian-'));
    try {
      await exec('debootstrap', ['--variant=minbase', 'bookworm', rootfs, debianMirror()], {
        maxBuffer: 64 * 1024 * 1024,
        timeout: 10 * 60_000,
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
  await importTar(engine, fs.createReadStream(tarball), tag);
}

/** The production build options, with the fixture folder as context and a tag always given. */
export type FixtureBuildOptions = Omit<BuildOptions, 'context' | 'dockerfileText' | 'tag'> & { tag: string };

/** Builds a fixture folder with the production build function; throws with the build log when it fails. */
export async function buildFixture(engine: TestEngine, dir: string, opts: FixtureBuildOptions): Promise<BuildOutcome> {
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
  return outcome;
}
