// Knowing the engine (engine/engineKind.ts): Docker or Podman from the Engine API's /version and /info answers (as
// recorded from Debian's podman 4.3.1 and docker.io 20.10), what its sizes mean, and which builder a build uses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identify, pickBuilder, sizeKindFor } from '../../../server/src/engine/engineKind';

// /version and /info of Debian's podman 4.3.1 (`podman system service`), the fields read
const podmanVersion = {
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [
    { Name: 'Podman Engine', Version: '4.3.1' },
    { Name: 'Conmon', Version: 'conmon version 2.1.6, commit: unknown' },
  ],
  Version: '4.3.1',
  ApiVersion: '1.41',
};
const podmanInfo = {
  Driver: 'overlay',
  DriverStatus: [['Backing Filesystem', 'extfs']] as [string, string][],
  BuildahVersion: '1.28.2',
};
// Docker Engine 20.10 (docker.io)
const dockerVersion = {
  Platform: { Name: '' },
  Components: [
    { Name: 'Engine', Version: '20.10.24+dfsg1' },
    { Name: 'containerd', Version: '1.6.20' },
  ],
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
};
const dockerInfo = {
  Driver: 'overlay2',
  DriverStatus: [['Backing Filesystem', 'extfs']] as [string, string][],
  OSType: 'linux',
};

test('Podman is told from its /version components; its sizes are tar sizes and it builds with buildah', () => {
  const id = identify(podmanVersion, podmanInfo);
  assert.equal(id.kind, 'podman');
  assert.equal(id.version, '4.3.1');
  assert.deepEqual(id.builders, ['buildah']);
  assert.equal(id.builderVersion, '1.28.2');
  assert.equal(id.sizeKind, 'tar size, uncompressed, Podman overlay store');
  // /info alone (measure.ts reads only it) says Podman too
  assert.equal(identify(null, podmanInfo).kind, 'podman');
});

test('Docker: overlay2 on-disk sizes, BuildKit and the legacy builder; containerd store and old APIs', () => {
  const id = identify(dockerVersion, dockerInfo);
  assert.equal(id.kind, 'docker');
  assert.equal(id.version, '20.10.24+dfsg1');
  assert.deepEqual(id.builders, ['buildkit', 'legacy']);
  assert.equal(id.sizeKind, 'overlay2 on-disk, uncompressed');
  const containerd = sizeKindFor('docker', 'overlayfs', [['driver-type', 'io.containerd.snapshotter.v1']]);
  assert.match(containerd, /^containerd overlayfs disk usage/);
  assert.deepEqual(identify({ ...dockerVersion, ApiVersion: '1.38' }, dockerInfo).builders, ['legacy']);
  assert.deepEqual(identify(dockerVersion, { ...dockerInfo, OSType: 'windows' }).builders, ['legacy']);
});

test("the builder setting is honoured where the engine has it, otherwise the engine's builder and a sentence", () => {
  const docker = identify(dockerVersion, dockerInfo);
  assert.deepEqual(pickBuilder('legacy', docker), { builder: 'legacy' });
  assert.deepEqual(pickBuilder(undefined, docker), { builder: 'buildkit' });
  const podman = identify(podmanVersion, podmanInfo);
  for (const want of ['buildkit', 'legacy'] as const) {
    const p = pickBuilder(want, podman);
    assert.equal(p.builder, 'buildah');
    assert.match(p.note ?? '', /^Podman has no (BuildKit|legacy builder): building with buildah/);
  }
  const old = pickBuilder('buildkit', identify({ ...dockerVersion, ApiVersion: '1.30' }, dockerInfo));
  assert.equal(old.builder, 'legacy');
  assert.match(old.note ?? '', /this Docker engine has no BuildKit: building with the legacy builder/);
  // engine not known yet: the request stands
  assert.deepEqual(pickBuilder('buildkit', undefined), { builder: 'buildkit' });
});
