// What the engine does with COPY sources the context lacks, against what the analysis says (the copy-source-missing
// rule and the COPY sizes): a missing path stops the build with both builders, and the analysis reports it with no
// size; a wildcard that matches nothing is copied as nothing by BuildKit (the build goes on, the size counts only
// what matched, no finding). Built on the test's busybox base, with the production build function.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { buildImage } from '../../server/src/engine/build';
import { readBuildContext } from '../../server/src/facts/context';
import { engineSuite, type TestEngine } from './harness';

const engineTest = engineSuite({ busybox: true });

/** A context folder with `files` (path -> text) and the Dockerfile. */
async function folder(dockerfile: string, files: Record<string, string>): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-copy-missing-'));
  await fs.promises.writeFile(path.join(dir, 'Dockerfile'), dockerfile);
  for (const [p, text] of Object.entries(files)) {
    await fs.promises.mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await fs.promises.writeFile(path.join(dir, p), text);
  }
  return dir;
}

async function build(e: TestEngine, dir: string, builder: 'buildkit' | 'legacy', tag: string) {
  return buildImage(e.docker, {
    context: dir,
    dockerfile: 'Dockerfile',
    builder,
    tag,
    timeoutMs: 5 * 60_000,
  });
}

engineTest(
  'a COPY source the context lacks stops the build with both builders, and the analysis says so with no size',
  { timeout: 10 * 60_000 },
  async (e) => {
    const text = 'FROM busybox:latest\nCOPY present.txt /\nCOPY dist/app.bin /usr/local/bin/app\n';
    const dir = await folder(text, { 'present.txt': 'here\n', 'src/main.c': 'int main(void){return 0;}\n' });
    try {
      for (const builder of ['buildkit', 'legacy'] as const) {
        const out = await build(e, dir, builder, `li-copy-missing/${builder}:latest`);
        assert.equal(out.ok, false, `${builder} stops at the missing source`);
        assert.match(`${out.message}\n${out.log.join('\n')}`, /dist\/app\.bin|not found|no such file/i);
      }
      const a = analyze(text, { context: await readBuildContext(dir) });
      const found = a.findings.filter((f) => f.rule === 'copy-source-missing');
      assert.deepEqual(
        found.map((f) => f.line),
        [3],
      );
      assert.equal(a.steps[2].size, null);
      assert.equal(a.image?.complete, false);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  },
);

engineTest(
  'a wildcard that matches nothing: BuildKit copies nothing and goes on; no finding, the size counts what matched',
  { timeout: 10 * 60_000 },
  async (e) => {
    const text = 'FROM busybox:latest\nWORKDIR /app\nCOPY package.json yarn.lock* ./\nRUN ls /app > /listing\n';
    const dir = await folder(text, { 'package.json': '{"name":"x","version":"1.0.0"}\n' });
    try {
      const out = await build(e, dir, 'buildkit', 'li-copy-missing/wildcard:latest');
      assert.equal(out.ok, true, `${out.message}\n${out.log.slice(-20).join('\n')}`);
      const a = analyze(text, { context: await readBuildContext(dir) });
      assert.equal(a.findings.filter((f) => f.rule === 'copy-source-missing').length, 0);
      assert.equal(a.steps[2].size?.bytes, fs.statSync(path.join(dir, 'package.json')).size);
      assert.match(a.steps[2].size?.basis ?? '', /yarn\.lock\* matches nothing/);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  },
);
