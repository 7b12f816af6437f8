// Engine resolution as the docker CLI does it, with fake environments and config folders (no engine needed).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName, probeEngine, resolveEngine, stateFromError } from '../../../server/src/engine/connect';

const homes: string[] = [];
after(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

function fakeHome(files: Record<string, string>): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'li-home-'));
  homes.push(home);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), content);
  }
  return home;
}

const noSocket = (): boolean => false;

test('DOCKER_HOST wins over contexts; unix, tcp and ssh forms are read', () => {
  const home = fakeHome({ '.docker/config.json': JSON.stringify({ currentContext: 'remote' }) });
  assert.deepEqual(
    { ...resolveEngine({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, home }) },
    {
      host: 'unix:///run/user/1000/docker.sock',
      source: 'DOCKER_HOST',
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
    },
  );
  const tcp = resolveEngine({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, home });
  assert.equal(tcp.kind, 'tcp');
  assert.equal(tcp.hostname, '10.0.0.5');
  assert.equal(tcp.port, 2375);
  assert.equal(tcp.tls, undefined);
  const ssh = resolveEngine({ env: { DOCKER_HOST: 'ssh://deploy@build.example.com:2222' }, home });
  assert.deepEqual([ssh.kind, ssh.username, ssh.hostname, ssh.port], ['ssh', 'deploy', 'build.example.com', 2222]);
});

test('DOCKER_TLS_VERIFY and DOCKER_CERT_PATH turn tcp into TLS with the cert files', () => {
  const r = resolveEngine({
    env: { DOCKER_HOST: 'tcp://docker.example.com:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
    home: '/nonexistent',
  });
  assert.equal(r.kind, 'tcp');
  assert.deepEqual(r.tls, { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' });
  const noVerify = resolveEngine({ env: { DOCKER_HOST: 'tcp://h:2376' }, home: '/nonexistent' });
  assert.deepEqual(noVerify.tls, { verify: false }, 'port 2376 means TLS, as the docker CLI assumes');
});

test('the current context from config.json is read from contexts/meta/<sha256(name)>/meta.json', () => {
  const name = 'staging';
  const id = contextDirName(name);
  assert.equal(id.length, 64);
  const home = fakeHome({
    '.docker/config.json': JSON.stringify({ auths: {}, currentContext: name }),
    [`.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: 'tcp://staging.internal:2376', SkipTLSVerify: false } },
    }),
    [`.docker/contexts/tls/${id}/docker/ca.pem`]: 'CA',
    [`.docker/contexts/tls/${id}/docker/cert.pem`]: 'CERT',
    [`.docker/contexts/tls/${id}/docker/key.pem`]: 'KEY',
  });
  const r = resolveEngine({ env: {}, home });
  assert.equal(r.source, 'context staging');
  assert.equal(r.host, 'tcp://staging.internal:2376');
  assert.equal(r.tls?.verify, true);
  assert.equal(r.tls?.ca, path.join(home, '.docker', 'contexts', 'tls', id, 'docker', 'ca.pem'));
});

test('DOCKER_CONTEXT overrides config.json; DOCKER_CONFIG moves the config folder', () => {
  const a = contextDirName('a');
  const b = contextDirName('b');
  const cfg = fakeHome({
    'config.json': JSON.stringify({ currentContext: 'a' }),
    [`contexts/meta/${a}/meta.json`]: JSON.stringify({ Name: 'a', Endpoints: { docker: { Host: 'unix:///a.sock' } } }),
    [`contexts/meta/${b}/meta.json`]: JSON.stringify({ Name: 'b', Endpoints: { docker: { Host: 'ssh://me@b' } } }),
  });
  assert.equal(resolveEngine({ env: { DOCKER_CONFIG: cfg }, home: '/nonexistent' }).host, 'unix:///a.sock');
  const r = resolveEngine({ env: { DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'b' }, home: '/nonexistent' });
  assert.equal(r.kind, 'ssh');
  assert.equal(r.source, 'context b');
});

test('no configuration means the default socket; "default" context and unknown contexts say so', () => {
  const r = resolveEngine({ env: {}, home: '/nonexistent', exists: noSocket, platform: 'linux' });
  assert.equal(r.host, 'unix:///var/run/docker.sock');
  assert.equal(r.source, 'default');
  assert.equal(
    resolveEngine({ env: { DOCKER_CONTEXT: 'default' }, home: '/x', exists: noSocket, platform: 'linux' }).error,
    undefined,
  );
  const missing = resolveEngine({
    env: { DOCKER_CONTEXT: 'gone' },
    home: '/nonexistent',
    exists: noSocket,
    platform: 'linux',
  });
  assert.match(missing.error ?? '', /context "gone"/);
  const desktop = resolveEngine({
    env: {},
    home: '/home/u',
    exists: (p) => p === '/home/u/.docker/run/docker.sock',
    platform: 'linux',
  });
  assert.equal(desktop.socketPath, '/home/u/.docker/run/docker.sock');
  assert.equal(resolveEngine({ env: {}, home: 'C:\\Users\\u', platform: 'win32' }).kind, 'npipe');
});

test('an explicit host setting wins over everything', () => {
  const r = resolveEngine({ env: { DOCKER_HOST: 'tcp://a:2375' }, home: '/x', hostSetting: 'unix:///custom.sock' });
  assert.deepEqual([r.host, r.source], ['unix:///custom.sock', 'setting']);
});

test(
  'probe states: missing socket is none, closed tcp port is none, a silent listener is slow',
  { timeout: 20_000 },
  async () => {
    const missing = await probeEngine(
      { host: 'unix:///tmp/li-no-such.sock', source: 'test', kind: 'unix', socketPath: '/tmp/li-no-such.sock' },
      1000,
    );
    assert.equal(missing.status, 'none');
    assert.equal(missing.message, 'estimates only: no Docker engine at unix:///tmp/li-no-such.sock (ENOENT)');
    // a path through a regular file: what connecting to it says
    const underFile = path.join(__filename, 'docker.sock');
    const notDir = await probeEngine(
      { host: `unix://${underFile}`, source: 'test', kind: 'unix', socketPath: underFile },
      1000,
    );
    assert.deepEqual(
      [notDir.status, notDir.message],
      ['none', `estimates only: the Docker engine at unix://${underFile} is not usable (ENOTDIR)`],
    );

    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const t0 = Date.now();
    const refused = await probeEngine(
      { host: `tcp://127.0.0.1:${port}`, source: 'test', kind: 'tcp', hostname: '127.0.0.1', port },
      1500,
    );
    assert.equal(refused.status, 'none');
    assert.ok(Date.now() - t0 < 1500);

    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const sport = (silent.address() as net.AddressInfo).port;
    const t1 = Date.now();
    const slow = await probeEngine(
      { host: `tcp://127.0.0.1:${sport}`, source: 'test', kind: 'tcp', hostname: '127.0.0.1', port: sport },
      800,
    );
    const took = Date.now() - t1;
    assert.equal(slow.status, 'slow');
    assert.ok(took < 3000, `gave up after ${took} ms`);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  },
);

test('permission errors read as denied', () => {
  const s = stateFromError(
    'unix:///var/run/docker.sock',
    Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }),
    1000,
  );
  assert.equal(s.status, 'denied');
  assert.match(s.message, /permission denied/);
});
