// Finds the Docker engine the way the docker CLI does, and probes it with a time limit.
// Order (docker/cli resolveContextName + default endpoint): an explicit host setting; DOCKER_HOST; DOCKER_CONTEXT;
// the currentContext of $DOCKER_CONFIG/config.json (default ~/.docker); else the default socket.
// A named context's endpoint is read from <config dir>/contexts/meta/<sha256(name)>/meta.json and its TLS files
// from <config dir>/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem.
//
// dockerode is loaded on first use (engineLibs, lazy.ts): only its types are imported here. A probe of a unix
// socket that does not exist answers without loading it (probeEngine).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { EngineState } from '../protocol';
import {
  engineName,
  identify,
  sizeKindFor as kindSizeKindFor,
  type EngineKind,
  type InfoAnswer,
  type VersionAnswer,
} from './engineKind';
import { engineLibs } from './lazy';
import { remoteErrorMessage, remoteProblem } from './remoteErrors';
import { sshOptions } from './sshHost';

export interface ResolveInput {
  env: Record<string, string | undefined>;
  home: string;
  platform?: NodeJS.Platform;
  /** Explicit host from the settings (layerInsight.engine.host); wins over everything. */
  hostSetting?: string | null;
  /** Reads a file as text; returns null when it does not exist. */
  readFile?: (p: string) => string | null;
  exists?: (p: string) => boolean;
}

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the server certificate (DOCKER_TLS_VERIFY / the context's SkipTLSVerify=false). */
  verify: boolean;
}

export interface ResolvedEngine {
  /** The host as the docker CLI prints it: unix:///var/run/docker.sock, tcp://h:2376, ssh://u@h. */
  host: string;
  /** Where the host came from: "setting", "DOCKER_HOST", "context <name>" or "default". */
  source: string;
  kind: 'unix' | 'npipe' | 'tcp' | 'ssh';
  socketPath?: string;
  hostname?: string;
  port?: number;
  username?: string;
  /** For tcp: https when TLS is on. */
  tls?: TlsFiles;
  /** Set when the configuration could not be used (unknown context, bad URL); host then says what was tried. */
  error?: string;
  /** For ssh: the home folder whose .ssh has the keys and known_hosts, and the agent's socket (sshHost.ts). */
  sshHome?: string;
  sshAgent?: string;
}

const defaultRead = (p: string): string | null => {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function configDir(input: ResolveInput): string {
  return input.env.DOCKER_CONFIG || path.join(input.home, '.docker');
}

/** Resolves which engine to talk to, without touching the network. */
export function resolveEngine(input: ResolveInput): ResolvedEngine {
  const r = resolveEndpoint(input);
  if (r.kind === 'ssh') {
    r.sshHome = input.home;
    if (input.env.SSH_AUTH_SOCK) r.sshAgent = input.env.SSH_AUTH_SOCK;
  }
  return r;
}

function resolveEndpoint(input: ResolveInput): ResolvedEngine {
  const read = input.readFile ?? defaultRead;
  const exists = input.exists ?? ((p: string) => fs.existsSync(p));
  const platform = input.platform ?? process.platform;
  const env = input.env;

  if (input.hostSetting) return fromHost(input.hostSetting, 'setting', tlsFromEnv(env, input), platform);
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFromEnv(env, input), platform);

  let contextName = env.DOCKER_CONTEXT || '';
  let contextSource = 'DOCKER_CONTEXT';
  if (!contextName) {
    const cfgText = read(path.join(configDir(input), 'config.json'));
    if (cfgText) {
      try {
        const cfg = JSON.parse(cfgText) as { currentContext?: unknown };
        if (typeof cfg.currentContext === 'string') {
          contextName = cfg.currentContext;
          contextSource = 'config.json';
        }
      } catch {
        // a broken config.json: the CLI would complain; we use the default
      }
    }
  }
  if (contextName && contextName !== 'default') {
    const id = contextDirName(contextName);
    const metaPath = path.join(configDir(input), 'contexts', 'meta', id, 'meta.json');
    const metaText = read(metaPath);
    if (!metaText) {
      return {
        ...defaultEndpoint(platform, input),
        error: `docker context "${contextName}" (from ${contextSource}) not found at ${metaPath}`,
      };
    }
    try {
      const meta = JSON.parse(metaText) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
      const ep = meta.Endpoints?.docker;
      if (!ep?.Host)
        return { ...defaultEndpoint(platform, input), error: `docker context "${contextName}" has no docker endpoint` };
      const tlsDir = path.join(configDir(input), 'contexts', 'tls', id, 'docker');
      const files: TlsFiles = { verify: !ep.SkipTLSVerify };
      let anyTls = false;
      for (const f of ['ca', 'cert', 'key'] as const) {
        const p = path.join(tlsDir, `${f}.pem`);
        if (exists(p)) {
          files[f] = p;
          anyTls = true;
        }
      }
      return fromHost(ep.Host, `context ${contextName}`, anyTls ? files : undefined, platform);
    } catch {
      return { ...defaultEndpoint(platform, input), error: `docker context "${contextName}": unreadable ${metaPath}` };
    }
  }
  return defaultEndpoint(platform, input);
}

function defaultEndpoint(platform: NodeJS.Platform, input: ResolveInput): ResolvedEngine {
  if (platform === 'win32') {
    return {
      host: 'npipe:////./pipe/docker_engine',
      source: 'default',
      kind: 'npipe',
      socketPath: '//./pipe/docker_engine',
    };
  }
  const exists = input.exists ?? ((p: string) => fs.existsSync(p));
  // Docker Desktop (and rootless setups) put the socket in the home folder when /var/run has none
  const candidates = ['/var/run/docker.sock', path.join(input.home, '.docker', 'run', 'docker.sock')];
  if (input.env.XDG_RUNTIME_DIR) candidates.push(path.join(input.env.XDG_RUNTIME_DIR, 'docker.sock'));
  const socketPath = candidates.find((c) => exists(c)) ?? candidates[0];
  return { host: `unix://${socketPath}`, source: 'default', kind: 'unix', socketPath };
}

function tlsFromEnv(env: Record<string, string | undefined>, input: ResolveInput): TlsFiles | undefined {
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const certPath = env.DOCKER_CERT_PATH || (verify ? configDir(input) : '');
  if (!verify && !env.DOCKER_CERT_PATH) return undefined;
  return {
    verify,
    ca: path.join(certPath, 'ca.pem'),
    cert: path.join(certPath, 'cert.pem'),
    key: path.join(certPath, 'key.pem'),
  };
}

function fromHost(raw: string, source: string, tls: TlsFiles | undefined, platform: NodeJS.Platform): ResolvedEngine {
  const host = raw.trim();
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || '/var/run/docker.sock';
    return { host: `unix://${socketPath}`, source, kind: 'unix', socketPath };
  }
  if (host.startsWith('npipe://')) {
    const socketPath = host.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { host, source, kind: 'npipe', socketPath };
  }
  if (host.startsWith('fd://')) {
    return {
      host,
      source,
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
      error: 'fd:// hosts only work inside dockerd itself',
    };
  }
  const withScheme = host.includes('://') ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return {
      ...defaultEndpointFor(platform),
      host,
      source,
      error: `cannot read the Docker host "${host}" (expected unix://, tcp://host:port or ssh://user@host)`,
    };
  }
  if (url.protocol === 'ssh:') {
    return {
      host,
      source,
      kind: 'ssh',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : 22,
      username: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    const useTls = url.protocol === 'https:' || Boolean(tls) || port === 2376;
    return {
      host: `tcp://${url.hostname}:${port}`,
      source,
      kind: 'tcp',
      hostname: url.hostname,
      port,
      tls: useTls ? (tls ?? { verify: false }) : undefined,
    };
  }
  return { ...defaultEndpointFor(platform), host, source, error: `unsupported Docker host scheme "${url.protocol}"` };
}

function defaultEndpointFor(platform: NodeJS.Platform): Omit<ResolvedEngine, 'host' | 'source'> {
  return platform === 'win32'
    ? { kind: 'npipe', socketPath: '//./pipe/docker_engine' }
    : { kind: 'unix', socketPath: '/var/run/docker.sock' };
}

/** Options for Dockerode; reads TLS files. */
export function dockerodeOptions(r: ResolvedEngine, timeoutMs?: number): Dockerode.DockerOptions {
  // no request timeout over ssh: node's http client would call setTimeout on the ssh2 channel, which has none, and
  // the TypeError is thrown outside any promise (it ended the process; seen with docker-modem 5.0.7, ssh2 1.17).
  // The probe keeps its own deadline (probeEngine) and ssh2 its readyTimeout.
  const base: Dockerode.DockerOptions = timeoutMs && r.kind !== 'ssh' ? { timeout: timeoutMs } : {};
  if (r.kind === 'unix' || r.kind === 'npipe') return { ...base, socketPath: r.socketPath };
  if (r.kind === 'ssh') {
    return {
      ...base,
      protocol: 'ssh',
      host: r.hostname,
      port: r.port,
      username: r.username,
      sshOptions: sshOptions(
        {
          host: r.host,
          hostname: r.hostname ?? 'localhost',
          port: r.port ?? 22,
          home: r.sshHome ?? os.homedir(),
          agent: r.sshAgent,
        },
        timeoutMs,
      ),
    } as Dockerode.DockerOptions;
  }
  const opts: Dockerode.DockerOptions = { ...base, protocol: r.tls ? 'https' : 'http', host: r.hostname, port: r.port };
  if (r.tls) {
    const read = (p?: string): Buffer | undefined => {
      if (!p) return undefined;
      try {
        return fs.readFileSync(p);
      } catch {
        return undefined;
      }
    };
    const extra = opts as Record<string, unknown>;
    extra.ca = read(r.tls.ca);
    extra.cert = read(r.tls.cert);
    extra.key = read(r.tls.key);
    if (!r.tls.verify) extra.rejectUnauthorized = false;
  }
  return opts;
}

export function resolveFromProcess(hostSetting?: string | null): ResolvedEngine {
  return resolveEngine({ env: process.env, home: os.homedir(), hostSetting });
}

export function connect(r: ResolvedEngine, timeoutMs?: number): Dockerode {
  const { Dockerode: DockerodeClass } = engineLibs();
  return new DockerodeClass(dockerodeOptions(r, timeoutMs));
}

/**
 * For a unix socket: the error connecting to it would certainly give (ENOENT, ENOTDIR) when the path is not
 * there, found with one stat instead of loading dockerode. Null when a connection attempt is needed to know.
 */
async function missingSocket(r: ResolvedEngine): Promise<NodeJS.ErrnoException | null> {
  // abstract sockets (Linux, "@name" or a leading NUL) have no path on disk
  if (r.kind !== 'unix' || !r.socketPath || r.socketPath.startsWith('@') || r.socketPath.startsWith('\0')) return null;
  try {
    await fs.promises.stat(r.socketPath);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? (err as NodeJS.ErrnoException) : null;
  }
}

/** A human sentence for the size kind a storage driver gives `docker history` (engineKind.ts). */
export function sizeKindFor(
  driver: string | undefined,
  driverStatus?: [string, string][],
  kind: EngineKind = 'docker',
): string {
  return kindSizeKindFor(kind, driver, driverStatus);
}

/** Probes the engine: ping, then version and info, all within timeoutMs. Never throws. */
export async function probeEngine(r: ResolvedEngine, timeoutMs = 3000): Promise<EngineState> {
  if (r.error) return { status: 'none', host: r.host, message: `estimates only: ${r.error}` };
  const problem = remoteProblem(r);
  if (problem) return { status: 'none', host: r.host, message: problem };
  // no socket file: the same state (and text) as the failed connection, without loading dockerode
  const missing = await missingSocket(r);
  if (missing) return stateFromError(r.host, missing, timeoutMs);
  const docker = connect(r, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const within = <T>(p: Promise<T>): Promise<T> => {
    const left = Math.max(1, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_PROBE' })), left);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  };
  try {
    await within(docker.ping());
    const version = (await within(docker.version())) as VersionAnswer;
    const info = (await within(docker.info())) as InfoAnswer;
    const id = identify(version, info);
    const builders = id.builders.map((b) =>
      b === 'buildah' && id.builderVersion ? `buildah ${id.builderVersion}` : b,
    );
    return {
      status: 'connected',
      host: r.host,
      version: id.version,
      storageDriver: id.storageDriver,
      kind: id.kind,
      sizeKind: id.sizeKind,
      builders: id.builders,
      message: `${engineName(id.kind, id.version)} at ${r.host} (${id.storageDriver ?? 'unknown'} storage: sizes are ${id.sizeKind}; builds with ${builders.join(' or ')})`,
    };
  } catch (err) {
    const remote = remoteErrorMessage(r, err);
    return remote ? { status: 'none', host: r.host, message: remote } : stateFromError(r.host, err, timeoutMs);
  }
}

export function stateFromError(host: string, err: unknown, timeoutMs: number): EngineState {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'EACCES' || code === 'EPERM' || /EACCES|permission denied/i.test(msg)) {
    return {
      status: 'denied',
      host,
      message: `estimates only: permission denied on ${host} (add your user to the "docker" group, or use rootless Docker)`,
    };
  }
  if (code === 'ETIMEDOUT_PROBE' || code === 'ETIMEDOUT' || /timeout|timed out/i.test(msg)) {
    return {
      status: 'slow',
      host,
      message: `estimates only: the Docker engine at ${host} did not answer within ${(timeoutMs / 1000).toFixed(1)} s`,
    };
  }
  if (
    code === 'ENOENT' ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET'
  ) {
    return { status: 'none', host, message: `estimates only: no Docker engine at ${host} (${code})` };
  }
  return {
    status: 'none',
    host,
    message: `estimates only: the Docker engine at ${host} is not usable (${code || msg})`,
  };
}
