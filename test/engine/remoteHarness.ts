// The engines other than the plain private dockerd of harness.ts, each started by the test that uses it and
// stopped by its PID: Podman's Docker-compatible API service (private socket, storage and run root), a dockerd on
// tcp:// with TLS (a CA and certificates made with openssl), and an sshd on a loopback port that reaches a dockerd
// socket (`ssh://`, a key and a host key made with ssh-keygen). Nothing here is a test itself.
//
// remoteSuite() is engineSuite() for these: one engine per test file, skipped with the reason where the tools are
// missing, a failure instead with REQUIRE_DOCKER=1 (CI).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test, type TestContext, type TestOptions } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { TestEngine } from './harness';

export const exec = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function which(cmd: string): string | null {
  const dirs = (process.env.PATH ?? '')
    .split(':')
    .concat(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin']);
  for (const dir of dirs) {
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

/** Why these commands cannot run here (missing, or not root), or null. */
export function whyMissing(cmds: Record<string, string>): string | null {
  for (const [cmd, pkg] of Object.entries(cmds))
    if (!which(cmd)) return `${cmd} is not installed (apt-get install ${pkg})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'the engine needs root and this runs as a normal user';
  return null;
}

export type SuiteTest<E> = (
  name: string,
  options: TestOptions,
  fn: (engine: E, t: TestContext) => Promise<void>,
) => void;

/**
 * One private engine for a test file, started before its first test and stopped after its last. Skipped with the
 * reason when `missing` says the tools are not here; with REQUIRE_DOCKER=1 (CI) that is a failure instead.
 */
export function remoteSuite<E extends { stop(): Promise<void> }>(
  what: string,
  missing: string | null,
  start: () => Promise<E>,
): SuiteTest<E> {
  const required = process.env.REQUIRE_DOCKER === '1';
  if (missing && !required) console.log(`# SKIP ${what} tests: ${missing}; REQUIRE_DOCKER=1 makes this a failure.`);
  let engine: E | null = null;
  before(async () => {
    if (missing) {
      if (required) throw new Error(`${what} tests: ${missing}; REQUIRE_DOCKER=1 makes it a failure`);
      return;
    }
    engine = await start();
  });
  after(async () => {
    await engine?.stop();
  });
  const skip = missing && !required ? `${what}: ${missing}` : false;
  return (name, options, fn) => {
    test(name, { ...options, skip }, (t) => {
      if (!engine) throw new Error(`the ${what} did not start (see the before hook)`);
      return fn(engine, t);
    });
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process by its PID (TERM, then KILL), unmounts what is left under dir and removes dir. */
export async function stopByPid(pid: number, dir?: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (!(pid > 0 && alive(pid))) break;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
    for (let i = 0; i < (signal === 'SIGTERM' ? 100 : 50) && alive(pid); i++) await sleep(100);
  }
  if (!dir) return;
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

/** Starts a program detached with its output in dir/log; the child, for its PID and exit. */
export function spawnLogged(cmd: string, args: string[], dir: string, logName = 'log'): ChildProcess {
  const fd = fs.openSync(path.join(dir, logName), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  return child;
}

/** Polls until check() resolves; rejects when the child exits first or time runs out (with its log's tail). */
export async function waitFor(
  child: ChildProcess,
  what: string,
  log: string,
  check: () => Promise<unknown>,
): Promise<void> {
  let exited = child.exitCode !== null;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await check();
      return;
    } catch {
      const tail = (): string =>
        fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
      if (exited) throw new Error(`${what} exited during start-up:\n${tail()}`);
      if (Date.now() > deadline) throw new Error(`${what} did not answer within 30 s:\n${tail()}`);
      await sleep(200);
    }
  }
}

export function pingSocket(socketPath: string): Promise<void> {
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

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export const PODMAN_MISSING = whyMissing({ podman: 'podman', tar: 'tar' });

/**
 * Podman's Docker-compatible API on a private socket, with private storage (--root) and run root (--runroot):
 * `podman system service --time=0`. A TestEngine, so harness.ts's ensureBusybox and buildFixture work on it.
 */
export async function startPodman(): Promise<TestEngine> {
  if (PODMAN_MISSING) throw new Error(`Podman cannot start here: ${PODMAN_MISSING}`);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-podman-'));
  const socketPath = path.join(dir, 'podman.sock');
  const args = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--storage-driver', 'overlay'];
  args.push('--tmpdir', path.join(dir, 'tmp'), 'system', 'service', '--time=0', `unix://${socketPath}`);
  const child = spawnLogged(which('podman') ?? 'podman', args, dir);
  const pid = child.pid ?? 0;
  const stop = (): Promise<void> => stopByPid(pid, dir);
  try {
    await waitFor(child, 'podman system service', path.join(dir, 'log'), () => pingSocket(socketPath));
  } catch (e) {
    await stop();
    throw e;
  }
  const docker = new Dockerode({ socketPath, timeout: 0 });
  return { host: `unix://${socketPath}`, socketPath, docker, pid, dir, stop };
}

/** Podman's own CLI on the same private storage (what `podman history` says, for comparison). */
export async function podmanCli(e: TestEngine, args: string[]): Promise<string> {
  const base = [
    '--root',
    path.join(e.dir, 'root'),
    '--runroot',
    path.join(e.dir, 'run'),
    '--storage-driver',
    'overlay',
  ];
  const { stdout } = await exec(which('podman') ?? 'podman', [...base, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export const TLS_MISSING = whyMissing({ dockerd: 'docker.io', openssl: 'openssl' });

async function openssl(args: string[], cwd: string): Promise<void> {
  await exec(which('openssl') ?? 'openssl', args, { cwd });
}

/** A CA (ca.pem, ca-key.pem) in dir, made with openssl. */
async function makeCa(dir: string, name: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      'ca-key.pem',
    ].concat(['-out', 'ca.pem']),
    dir,
  );
}

/** A key and a certificate signed by the CA in caDir: name-key.pem, name-cert.pem in caDir. */
async function signed(caDir: string, name: string, ext: string): Promise<void> {
  const extFile = path.join(caDir, `${name}.ext`);
  await fs.promises.writeFile(extFile, `${ext}\n`);
  await openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
    ],
    caDir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
    ].concat(['-out', `${name}-cert.pem`, '-extfile', extFile]),
    caDir,
  );
}

export interface TlsEngine extends TestEngine {
  /** tcp://127.0.0.1:PORT (dockerd with --tlsverify: client certificates required). */
  tcpHost: string;
  /** A DOCKER_CERT_PATH folder: ca.pem, cert.pem, key.pem signed by the engine's CA. */
  certPath: string;
  /** The same client files, but ca.pem is another CA's (which did not sign the server certificate). */
  wrongCaPath: string;
  /** The right ca.pem, but a client certificate another CA signed (the engine refuses it). */
  strangerPath: string;
}

/**
 * A private dockerd that also listens on tcp://127.0.0.1:PORT with TLS (--tlsverify): a CA, the server's certificate
 * (for 127.0.0.1 and localhost) and a client certificate, all made here with openssl.
 */
export async function startTlsEngine(startEngine: (extra: string[]) => Promise<TestEngine>): Promise<TlsEngine> {
  if (TLS_MISSING) throw new Error(`no TLS engine here: ${TLS_MISSING}`);
  const pki = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-tls-'));
  const ca = path.join(pki, 'ca');
  await makeCa(ca, 'layer-insight test CA');
  await signed(ca, 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  await signed(ca, 'client', 'extendedKeyUsage=clientAuth');
  const certPath = path.join(pki, 'client');
  const wrongCaPath = path.join(pki, 'wrong');
  const other = path.join(pki, 'other-ca');
  await makeCa(other, 'another CA');
  await signed(other, 'client', 'extendedKeyUsage=clientAuth');
  const strangerPath = path.join(pki, 'stranger');
  for (const [dir, caFile, clientCa] of [
    [certPath, path.join(ca, 'ca.pem'), ca],
    [wrongCaPath, path.join(other, 'ca.pem'), ca],
    [strangerPath, path.join(ca, 'ca.pem'), other],
  ]) {
    await fs.promises.mkdir(dir);
    await fs.promises.copyFile(caFile, path.join(dir, 'ca.pem'));
    await fs.promises.copyFile(path.join(clientCa, 'client-cert.pem'), path.join(dir, 'cert.pem'));
    await fs.promises.copyFile(path.join(clientCa, 'client-key.pem'), path.join(dir, 'key.pem'));
  }
  const port = await freePort();
  const tcpHost = `tcp://127.0.0.1:${port}`;
  const tls = ['--tlsverify', '--tlscacert', path.join(ca, 'ca.pem')];
  tls.push('--tlscert', path.join(ca, 'server-cert.pem'), '--tlskey', path.join(ca, 'server-key.pem'), '-H', tcpHost);
  let engine: TestEngine;
  try {
    engine = await startEngine(tls);
  } catch (e) {
    await fs.promises.rm(pki, { recursive: true, force: true });
    throw e;
  }
  const stop = async (): Promise<void> => {
    await engine.stop();
    await fs.promises.rm(pki, { recursive: true, force: true });
  };
  return { ...engine, stop, tcpHost, certPath, wrongCaPath, strangerPath };
}

export const SSH_MISSING = whyMissing({
  dockerd: 'docker.io',
  docker: 'docker.io',
  sshd: 'openssh-server',
  'ssh-keygen': 'openssh-client',
});

export interface SshEngine extends TestEngine {
  /** ssh://root@127.0.0.1:PORT */
  sshHost: string;
  /** A home folder whose .ssh has the client key (id_ed25519) and a known_hosts that lists the server. */
  home: string;
  /** A home folder with the same key and an empty known_hosts. */
  strangerHome: string;
  /** The sshd listening (its PID); the connections' own sshd processes are its children. */
  sshdPid: number;
}

async function keygen(file: string, comment: string): Promise<string> {
  await exec(which('ssh-keygen') ?? 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return (await fs.promises.readFile(`${file}.pub`, 'utf8')).trim();
}

/**
 * A private dockerd, and an sshd (Debian's openssh-server) on a loopback port that lets the test's key in and runs
 * only `docker system dial-stdio` against that dockerd's socket, as an ssh:// Docker host does. Host and client
 * keys are made here with ssh-keygen.
 */
export async function startSshEngine(startEngine: () => Promise<TestEngine>): Promise<SshEngine> {
  if (SSH_MISSING) throw new Error(`no ssh engine here: ${SSH_MISSING}`);
  const engine = await startEngine();
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-sshd-'));
  let sshdPid = 0;
  const stop = async (): Promise<void> => {
    await stopByPid(sshdPid);
    await fs.promises.rm(dir, { recursive: true, force: true });
    await engine.stop();
  };
  try {
    const hostKey = await keygen(path.join(dir, 'host_ed25519'), 'layer-insight test host');
    const home = path.join(dir, 'home');
    const strangerHome = path.join(dir, 'stranger');
    for (const h of [home, strangerHome])
      await fs.promises.mkdir(path.join(h, '.ssh'), { recursive: true, mode: 0o700 });
    const clientKey = await keygen(path.join(home, '.ssh', 'id_ed25519'), 'layer-insight test client');
    await fs.promises.copyFile(path.join(home, '.ssh', 'id_ed25519'), path.join(strangerHome, '.ssh', 'id_ed25519'));
    const docker = which('docker') ?? 'docker';
    await fs.promises.writeFile(
      path.join(dir, 'authorized_keys'),
      `command="${docker} -H unix://${engine.socketPath} system dial-stdio",no-pty,no-port-forwarding ${clientKey}\n`,
    );
    const port = await freePort();
    const [type, blob] = hostKey.split(/\s+/);
    await fs.promises.writeFile(path.join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${type} ${blob}\n`);
    await fs.promises.writeFile(path.join(strangerHome, '.ssh', 'known_hosts'), '');
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
    ];
    await fs.promises.writeFile(path.join(dir, 'sshd_config'), `${config.join('\n')}\n`);
    await fs.promises.mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation folder
    const sshd = which('sshd') ?? '/usr/sbin/sshd';
    const child = spawnLogged(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], dir);
    sshdPid = child.pid ?? 0;
    await waitFor(child, 'sshd', path.join(dir, 'log'), () => connectOnce(port));
    const user = os.userInfo().username;
    return { ...engine, stop, sshHost: `ssh://${user}@127.0.0.1:${port}`, home, strangerHome, sshdPid };
  } catch (e) {
    await stop();
    throw e;
  }
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

/** The sshd processes serving connections (children of the listening sshd), by PID. */
export async function sshSessions(sshdPid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await fs.promises.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.promises.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === sshdPid) out.push(Number(name));
  }
  return out;
}
