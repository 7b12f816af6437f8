// A remote engine over tcp:// with TLS: a private dockerd listening on 127.0.0.1 with --tlsverify, a CA and
// certificates made by the test with openssl. DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH (as the docker CLI
// reads them) and the host setting connect, build and map; a CA that did not sign the server is refused, and the
// message says it is the certificate.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { connect, probeEngine, resolveEngine } from '../../server/src/engine/connect';
import { buildFixture, ensureBusybox, fixturesDir, measureImage, startEngine } from './harness';
import { remoteSuite, startTlsEngine, TLS_MISSING, type TlsEngine } from './remoteHarness';

const tlsTest = remoteSuite('tcp+TLS engine', TLS_MISSING, async () => {
  const e = await startTlsEngine(startEngine);
  try {
    await ensureBusybox(e);
  } catch (err) {
    await e.stop();
    throw err;
  }
  return e;
});

const tlsEnv = (e: TlsEngine, certPath = e.certPath) => ({
  DOCKER_HOST: e.tcpHost,
  DOCKER_TLS_VERIFY: '1',
  DOCKER_CERT_PATH: certPath,
});

tlsTest(
  'DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: connected, builds and maps',
  { timeout: 120_000 },
  async (e) => {
    const r = resolveEngine({ env: tlsEnv(e), home: e.dir });
    assert.equal(r.kind, 'tcp');
    assert.equal(r.tls?.verify, true);
    const state = await probeEngine(r, 10_000);
    assert.equal(state.status, 'connected', state.message);
    assert.equal(state.kind, 'docker');
    assert.match(state.message, new RegExp(`^Docker \\S+ at ${e.tcpHost.replace(/\./g, '\\.')} \\(overlay2 storage`));
    // the build goes through the TLS connection (context upload included), then the image maps to its lines
    const remote = { ...e, docker: connect(r, 0) };
    const outcome = await buildFixture(remote, path.join(fixturesDir(), 'basic'), {
      builder: 'buildkit',
      tag: 'tls-basic:1',
    });
    const result = await measureImage(remote.docker, 'tls-basic:1', outcome.model, {
      buildSteps: outcome.steps,
      engineKind: state.kind,
    });
    assert.equal(result.measured.mismatch, undefined, result.measured.mismatch);
    const run = result.measured.steps.find((s) => outcome.model.steps[s.stepIndex].line === 6);
    assert.equal(run?.bytes, 250_000, 'overlay2 on-disk: the file bytes');
    assert.equal(run?.cached, false);
  },
);

tlsTest('the host setting with the TLS files of the environment connects too', { timeout: 60_000 }, async (e) => {
  const r = resolveEngine({
    env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: e.certPath },
    home: e.dir,
    hostSetting: e.tcpHost,
  });
  assert.equal(r.source, 'setting');
  const state = await probeEngine(r, 10_000);
  assert.equal(state.status, 'connected', state.message);
});

tlsTest(
  'a CA that did not sign the server certificate is refused, and the message says so',
  { timeout: 60_000 },
  async (e) => {
    const state = await probeEngine(resolveEngine({ env: tlsEnv(e, e.wrongCaPath), home: e.dir }), 10_000);
    assert.equal(state.status, 'none');
    assert.match(state.message, /certificate/);
    assert.ok(state.message.includes(path.join(e.wrongCaPath, 'ca.pem')), state.message);
  },
);

tlsTest('TLS files that are not there are named, before any connection', { timeout: 60_000 }, async (e) => {
  const state = await probeEngine(
    resolveEngine({ env: tlsEnv(e, path.join(e.dir, 'no-such-certs')), home: e.dir }),
    10_000,
  );
  assert.equal(state.status, 'none');
  assert.match(
    state.message,
    /^estimates only: TLS files for tcp:\/\/127\.0\.0\.1:\d+ are missing: .*no-such-certs\/ca\.pem/,
  );
});

tlsTest(
  "a client certificate the engine's CA did not sign is refused by the engine, and the message says so",
  { timeout: 60_000 },
  async (e) => {
    const state = await probeEngine(resolveEngine({ env: tlsEnv(e, e.strangerPath), home: e.dir }), 10_000);
    assert.equal(state.status, 'none');
    assert.match(state.message, /refused our TLS client certificate/);
  },
);
