// What an ordinary edit touches, against a real engine: build a fixture, make an ordinary edit, rebuild; the
// RUN/COPY/ADD steps the engine ran again (not served from its cache) must be exactly the steps we mark "high".
// The fixtures copy files an ordinary edit does not touch before the sources: dependency jars before the classes of
// a layered Spring Boot jar (judged by what the files are), and a scripts folder whose git history (made here)
// shows it rarely changes. Both builders.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import type { AnalysisFacts } from '../../server/src/analysis/model';
import { readBuildContext } from '../../server/src/facts/context';
import { readGitChurn } from '../../server/src/facts/git';
import { testGitEnv } from '../git';
import { buildLog, fixtureCopier, predictedHigh, reran } from './cacheCheck';
import { buildFixture, engineSuite } from './harness';

const engineTest = engineSuite({ busybox: true });
/** A private copy of a fixture folder, so edits never touch the repository. */
const copyFixture = fixtureCopier('li-evidence');

/** The facts the CLI gives the analysis for a folder: its context listing and its git history. */
async function factsOf(dir: string): Promise<AnalysisFacts> {
  return { context: await readBuildContext(dir), git: await readGitChurn(dir) };
}

/** A repository in `dir` with `commits` commits: the first adds every file, commit i then appends to `touch(i)`. */
function makeHistory(dir: string, commits: number, touch: (i: number) => string[]): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: testGitEnv(), stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'initial');
  for (let i = 1; i < commits; i++) {
    for (const f of touch(i)) fs.appendFileSync(path.join(dir, f), `# change ${i}\n`);
    git('add', '-A');
    git('commit', '-qm', `change ${i}`);
  }
}

interface Case {
  fixture: string;
  /** What the case shows. */
  title: string;
  /** Makes the git history, when the case has one. */
  history?: (dir: string) => void;
  /** The ordinary edit: a file to append to. */
  edit: string;
  /** The lines we must mark high (the engine then has to agree). */
  high: number[];
  /** A line and the words its reason must have: where the judgement came from. */
  because: [number, RegExp];
}

const CASES: Case[] = [
  {
    fixture: 'layered-jars',
    title: 'the dependency jars and META-INF of a layered jar are not re-copied when a class changes',
    edit: 'app/BOOT-INF/classes/com/example/App.class',
    high: [7, 8],
    because: [4, /dependency artifacts, not what an ordinary edit touches/],
  },
  {
    fixture: 'rare-scripts',
    title: 'a scripts folder changed in 1 of 30 commits is not re-copied when a source changes',
    history: (dir) => makeHistory(dir, 30, () => ['src/main.txt']),
    edit: 'src/util.txt',
    high: [6, 7],
    because: [4, /these files changed in 1 of the last 30 commits; an ordinary edit does not touch them/],
  },
  {
    fixture: 'rare-scripts',
    title: 'the same scripts folder changed in every commit is an ordinary edit: everything from it re-runs',
    history: (dir) => makeHistory(dir, 30, () => ['scripts/prepare.sh', 'src/main.txt']),
    edit: 'scripts/prepare.sh',
    high: [4, 5, 6, 7],
    because: [4, /re-runs whenever a file under scripts\/ changes.*changed in 30 of the last 30 commits/],
  },
];

let serial = 0;

for (const builder of ['buildkit', 'legacy'] as const) {
  for (const c of CASES) {
    engineTest(`${builder}: ${c.fixture}: ${c.title}`, { timeout: 10 * 60_000 }, async (engine) => {
      const dir = copyFixture(c.fixture);
      c.history?.(dir);
      const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
      const before = analyze(text, await factsOf(dir));
      const [line, words] = c.because;
      const reasons = before.steps.find((s) => s.step.line === line)?.cacheRisk.reasons ?? [];
      assert.ok(
        reasons.some((r) => words.test(r)),
        `line ${line}: ${JSON.stringify(reasons)} should match ${String(words)}`,
      );

      const tag = `li-evidence-${c.fixture}-${builder}:${++serial}`;
      await buildFixture(engine, dir, { builder, tag });
      const again = await buildFixture(engine, dir, { builder, tag });
      assert.deepEqual(reran(again), [], `${c.fixture}: an unchanged rebuild re-ran steps`);

      fs.appendFileSync(path.join(dir, c.edit), '# edited\n');
      const rebuilt = await buildFixture(engine, dir, { builder, tag });
      const expected = predictedHigh(analyze(text, await factsOf(dir)), builder);
      assert.deepEqual(expected, c.high, `${c.fixture}: we mark high ${JSON.stringify(expected)}`);
      assert.deepEqual(
        reran(rebuilt),
        expected,
        `${c.fixture} (${builder}): engine re-ran ${JSON.stringify(reran(rebuilt))}, we mark high ${JSON.stringify(expected)}\n${buildLog(rebuilt)}`,
      );
    });
  }
}
