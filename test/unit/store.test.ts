// The analysis store's folder facts: every open document of a folder gets them when they arrive, and a folder's
// facts are released when no open document uses it any more (issue 12, point 7).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisStore } from '../../server/src/lsp/store';

const DOCKERFILE = 'FROM alpine\nCOPY . /app\n';

/** Resolves once every uri given has been told its facts changed. */
function notified(uris: string[]): { onFactsChanged: (uri: string) => void; all: Promise<void> } {
  const waiting = new Set(uris);
  let done: () => void = () => undefined;
  const all = new Promise<void>((res) => (done = res));
  return {
    onFactsChanged: (uri) => {
      waiting.delete(uri);
      if (waiting.size === 0) done();
    },
    all,
  };
}

test('two documents of one folder both get its context; closing the last one releases the folder', async () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-store-')));
  try {
    fs.writeFileSync(path.join(dir, 'app.txt'), 'x');
    const a = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    const b = pathToFileURL(path.join(dir, 'Dockerfile.dev')).href;
    const n = notified([a, b]);
    const store = new AnalysisStore(n.onFactsChanged, { trusted: () => false });
    store.get(a, 1, () => DOCKERFILE);
    store.get(b, 1, () => DOCKERFILE);
    await Promise.race([
      n.all,
      new Promise((_, rej) => setTimeout(() => rej(new Error('no facts within 10 s')), 10_000)),
    ]);
    for (const uri of [a, b]) assert.ok(store.get(uri, 1, () => DOCKERFILE).analysis, uri);
    assert.deepEqual(store.heldFolders(), [dir]);
    store.close(a);
    assert.deepEqual(store.heldFolders(), [dir], 'still used by the other document');
    store.close(b);
    assert.deepEqual(store.heldFolders(), [], 'released with the last document');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
