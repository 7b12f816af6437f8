// A remote engine over ssh://: an sshd from Debian's openssh-server, started by this file on a loopback port with a
// host key and a client key it makes, runs `docker system dial-stdio` against the file's private dockerd (what an
// ssh:// Docker host does). Through dockerode's ssh transport: the probe connects, a build uploads its context and
// maps; a host key that known_hosts does not list (or lists differently) is refused with a sentence saying so;
// killing the ssh connection mid-build ends the build with a clear message and the engine is reachable again.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImage } from '../../server/src/engine/build';
import { connect, probeEngine, resolveEngine } from '../../server/src/engine/connect';
import { buildFixture, ensureBusybox, fixturesDir, measureImage, startEngine } from './harness';
import { remoteSuite, SSH_MISSING, sshSessions, startSshEngine, type SshEngine } from './remoteHarness';

const sshTest = remoteSuite('ssh engine', SSH_MISSING, async () => {
  const e = await startSshEngine(() => startEngine());
  try {
    await ensureBusybox(e);
  } catch (err) {
    await e.stop();
    throw err;
  }
  return e;
});

const resolved = (e: SshEngine, home = e.home) => resolveEngine({ env: { DOCKER_HOST: e.sshHost }, home });

sshTest(
  'ssh:// with a key from ~/.ssh and a known host key: connected, builds through ssh and maps',
  { timeout: 120_000 },
  async (e) => {
    const r = resolved(e);
    assert.equal(r.kind, 'ssh');
    const state = await probeEngine(r, 15_000);
    assert.equal(state.status, 'connected', state.message);
    assert.equal(state.kind, 'docker');
    assert.ok(state.message.includes(` at ${e.sshHost} `), state.message);
    const remote = { ...e, docker: connect(r, 0) };
    const progress: string[] = [];
    const outcome = await buildFixture(remote, path.join(fixturesDir(), 'basic'), {
      builder: 'buildkit',
      tag: 'ssh-basic:1',
      onProgress: (p) => progress.push(p.message),
    });
    // the upload is shown: the tar of Dockerfile and hello.txt (a 512-byte header and 512-byte blocks each, and
    // 1,024 bytes of end marker) = 3,072 bytes
    assert.ok(progress.includes('sent the build context: 3.07 kB'), progress.slice(0, 5).join(' | '));
    const result = await measureImage(remote.docker, 'ssh-basic:1', outcome.model, {
      buildSteps: outcome.steps,
      engineKind: state.kind,
    });
    assert.equal(result.measured.mismatch, undefined, result.measured.mismatch);
    const run = result.measured.steps.find((s) => outcome.model.steps[s.stepIndex].line === 6);
    assert.equal(run?.bytes, 250_000);
    assert.equal(run?.cached, false);
    // the image is in the dockerd behind the ssh host
    assert.ok(await e.docker.getImage('ssh-basic:1').inspect());
  },
);

sshTest(
  'a host key that known_hosts does not list is refused, and the message says how to check it',
  { timeout: 60_000 },
  async (e) => {
    const state = await probeEngine(resolved(e, e.strangerHome), 15_000);
    assert.equal(state.status, 'none');
    const port = /:(\d+)$/.exec(e.sshHost)?.[1];
    assert.match(
      state.message,
      new RegExp(
        `^estimates only: the ssh host key of \\[127\\.0\\.0\\.1\\]:${port} \\(ssh-ed25519 SHA256:\\S+\\) is not in .*known_hosts: refused`,
      ),
    );
  },
);

sshTest(
  'a host key that differs from the one known_hosts lists is refused as a changed key',
  { timeout: 60_000 },
  async (e) => {
    const home = path.join(path.dirname(e.home), 'changed');
    await fs.promises.mkdir(path.join(home, '.ssh'), { recursive: true });
    await fs.promises.copyFile(path.join(e.home, '.ssh', 'id_ed25519'), path.join(home, '.ssh', 'id_ed25519'));
    // known_hosts lists the host with another ed25519 key (the client's own public key)
    const other = (await fs.promises.readFile(path.join(e.home, '.ssh', 'id_ed25519.pub'), 'utf8')).split(' ');
    const port = /:(\d+)$/.exec(e.sshHost)?.[1];
    await fs.promises.writeFile(
      path.join(home, '.ssh', 'known_hosts'),
      `[127.0.0.1]:${port} ${other[0]} ${other[1]}\n`,
    );
    const state = await probeEngine(resolved(e, home), 15_000);
    assert.equal(state.status, 'none');
    assert.match(
      state.message,
      /is not the one .*known_hosts:1 lists: the host changed its key, or someone is in between/,
    );
  },
);

sshTest(
  'killing the ssh connection mid-build ends the build with a clear message; the engine answers again',
  { timeout: 120_000 },
  async (e) => {
    const r = resolved(e);
    let killed: number[] | null = null;
    const t0 = Date.now();
    const out = await buildImage(connect(r, 0), {
      context: path.join(fixturesDir(), 'slow'),
      builder: 'buildkit',
      tag: 'ssh-slow:1',
      noCache: true,
      onProgress: (p) => {
        if (killed || !/starting/.test(p.message)) return;
        killed = [];
        void sshSessions(e.sshdPid).then((pids) => {
          // A session listed a moment ago may have ended since (a probe's, or the child of one killed here).
          killed = pids.filter((pid) => {
            try {
              process.kill(pid, 'SIGKILL');
              return true;
            } catch {
              return false;
            }
          });
        });
      },
    });
    assert.ok(
      killed && (killed as number[]).length > 0,
      `the ssh session was killed while RUN ran (${out.log.slice(-3).join(' | ')})`,
    );
    assert.equal(out.ok, false);
    assert.equal(out.imageId, undefined, 'no image is reported for the broken build');
    assert.match(out.message, /connection to the engine broke|closed the build stream/);
    assert.ok(Date.now() - t0 < 60_000, `ended after ${Date.now() - t0} ms`);
    console.log(`# mid-build kill: "${out.message}"`);
    const after = await probeEngine(r, 15_000);
    assert.equal(after.status, 'connected', after.message);
  },
);
