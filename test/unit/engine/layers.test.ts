// Wasted-space accounting on layer tars written in memory: overwrite chains, whiteouts, opaque folders.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseLayers, readLayerTar, type LayerChanges } from '../../../server/src/engine/layers';
import { tarStream } from '../../../server/src/engine/contextTar';

const file = (name: string, bytes: number) => ({ name, source: Buffer.alloc(bytes, 1) });

async function layer(entries: { name: string; source: Buffer }[]): Promise<{ tarPath: string; changes: LayerChanges }> {
  return { tarPath: 'x', changes: await readLayerTar(tarStream(entries)) };
}

test('each hidden copy is counted once, for its creator and for the layer that hid it', async () => {
  const layers = [
    await layer([file('data/a', 3000), file('data/b', 1000), file('keep', 10)]),
    await layer([file('data/a', 500)]), // overwrites a (3000 wasted)
    await layer([file('data/a', 200), file('data/.wh.b', 0)]), // overwrites a again (500), deletes b (1000)
    await layer([file('.wh.data', 0)]), // deletes the folder: a (200)
  ];
  const a = analyseLayers(layers);
  assert.deepEqual(
    a.map((l) => l.wastedBytes),
    [4000, 500, 200, 0],
  );
  assert.deepEqual(
    a.map((l) => l.removesBytes),
    [0, 3000, 1500, 200],
  );
  assert.equal(
    a.reduce((s, l) => s + l.wastedBytes, 0),
    4700,
    'total = every hidden copy once',
  );
  assert.deepEqual(
    a[0].largest.map((f) => f.path),
    ['/data/a', '/data/b', '/keep'],
  );
  assert.deepEqual(a[0].wastedFiles[0], { path: '/data/a', bytes: 3000, layer: 1, how: 'overwritten' });
  assert.deepEqual(
    a[2].removedFiles.map((f) => [f.path, f.how]),
    [
      ['/data/b', 'deleted'],
      ['/data/a', 'overwritten'],
    ],
  );
});

test('an opaque folder hides the lower content but not its own new files', async () => {
  const layers = [
    await layer([file('etc/app/old.conf', 700), file('etc/app/sub/x', 300)]),
    await layer([file('etc/app/.wh..wh..opq', 0), file('etc/app/new.conf', 50)]),
  ];
  const a = analyseLayers(layers);
  assert.equal(a[0].wastedBytes, 1000);
  assert.equal(a[1].removesBytes, 1000);
  assert.equal(a[1].wastedBytes, 0);
  assert.equal(a[1].bytes, 50);
});

test('a layer tar with long names (PAX) and symlinks reads back', async () => {
  const long = `${'d'.repeat(120)}/file.bin`;
  const changes = await readLayerTar(tarStream([file(long, 5), file('plain', 3)]));
  assert.deepEqual(changes.files, [
    { path: long, bytes: 5 },
    { path: 'plain', bytes: 3 },
  ]);
});
