// Every quick fix the rules offer is a promise that the build still works, and works better. For each fixture
// folder of test/fixtures/fixes/ (a Dockerfile as a user wrote it, its build context with offline stand-ins for
// package managers, and fixture.json saying which rules must fire), this test:
//   1. analyses the Dockerfile (with the folder's context listing, or as a file on its own when withoutContext),
//   2. applies the preferred fix of each finding of those rules, re-analyses, and repeats until they stop firing,
//   3. builds the original and the fixed Dockerfile on the real engine and runs both images' default command: both
//      print the same thing and match the fixture's output,
//   4. when the fixture says so, the fixed image is smaller than the original,
//   5. when the fixture names one, edits a source file and rebuilds the fixed Dockerfile: the dependency step the
//      fix moved must come from the cache (the benefit the fix's title promises).
// A fixture builds with the legacy builder unless fixture.json names `builder`, or `builders` (one test each).
// FIXES=name1,name2 runs only those fixtures.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { analyze } from '../../server/src/analysis/analyze';
import type { AnalysisFacts, Finding } from '../../server/src/analysis/model';
import { applyEdits } from '../../server/src/analysis/rewrite/edits';
import type { Builder } from '../../server/src/engine/build';
import { readBuildContext } from '../../server/src/facts/context';
import { buildFixture, engineSuite, ensureBusybox, ensureDebian, repoRoot, runImage, type TestEngine } from './harness';

interface FixtureSpec {
  why: string;
  rules: string[];
  bases?: ('busybox' | 'debian')[];
  withoutContext?: boolean;
  output: string;
  cachedAfterEdit?: { file: string; step: string };
  /** The fixed image must be smaller than the original (the fix's promise is bytes). */
  smaller?: boolean;
  builder?: Builder;
  /** Build with each of these (one test per builder); instead of `builder`. */
  builders?: Builder[];
}

const MAX_ROUNDS = 8;
const root = path.join(repoRoot(), 'test', 'fixtures', 'fixes');
const only = (process.env.FIXES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const names = fs.existsSync(root)
  ? fs
      .readdirSync(root)
      .filter((n) => fs.existsSync(path.join(root, n, 'fixture.json')))
      .filter((n) => only.length === 0 || only.includes(n))
      .sort()
  : [];

const engineTest = engineSuite();
const work: string[] = [];
after(() => {
  for (const d of work) fs.rmSync(d, { recursive: true, force: true });
});

/** A private copy of the fixture folder (edits and rewritten Dockerfiles never touch the repository). */
function copyOf(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `li-fix-${name}-`));
  work.push(dir);
  fs.cpSync(path.join(root, name), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'fixture.json'));
  return dir;
}

async function factsFor(dir: string, spec: FixtureSpec): Promise<AnalysisFacts> {
  if (spec.withoutContext) return {};
  return { context: await readBuildContext(dir, { dockerfile: 'Dockerfile' }) };
}

/** Applies the preferred fix of the first fixable finding of the fixture's rules until none fires. */
async function applyAllFixes(
  text: string,
  dir: string,
  spec: FixtureSpec,
): Promise<{ text: string; applied: string[] }> {
  const facts = await factsFor(dir, spec);
  const first = analyze(text, facts).findings;
  for (const rule of spec.rules) {
    const f = first.find((x) => x.rule === rule);
    assert.ok(f, `${rule} fires on the original (findings: ${first.map((x) => `${x.rule}@${x.line}`).join(', ')})`);
    assert.ok(f.fixes.length > 0, `${rule} offers a fix on the original: ${f.message}`);
  }
  const applied: string[] = [];
  let current = text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const pending: Finding[] = analyze(current, facts).findings.filter((x) => spec.rules.includes(x.rule));
    if (pending.length === 0) return { text: current, applied };
    const fixable = pending.find((x) => x.fixes.length > 0);
    assert.ok(
      fixable,
      `after ${applied.length} fixes, ${pending.map((x) => `${x.rule}@${x.line}`).join(', ')} still fire with no fix:\n${current}`,
    );
    const fix = fixable.fixes.find((x) => x.preferred) ?? fixable.fixes[0];
    applied.push(`${fixable.rule}@${fixable.line}: ${fix.title}`);
    current = applyEdits(current, fix.edits);
  }
  assert.fail(`the rules still fire after ${MAX_ROUNDS} rounds of fixes:\n${current}`);
}

async function ensureBases(e: TestEngine, spec: FixtureSpec): Promise<void> {
  for (const b of spec.bases ?? ['busybox']) {
    if (b === 'busybox') await ensureBusybox(e);
    else await ensureDebian(e);
  }
}

function specOf(name: string): FixtureSpec {
  return JSON.parse(fs.readFileSync(path.join(root, name, 'fixture.json'), 'utf8')) as FixtureSpec;
}

async function checkFixture(e: TestEngine, name: string, builder: Builder): Promise<void> {
  const spec = specOf(name);
  await ensureBases(e, spec);
  const original = fs.readFileSync(path.join(root, name, 'Dockerfile'), 'utf8');

  // the original builds and runs: the fixture itself is sound
  const before = copyOf(name);
  await buildFixture(e, before, { builder, tag: `li-fix-${name}-${builder}:before` });
  const was = await runImage(e, `li-fix-${name}-${builder}:before`);
  assert.equal(was.code, 0, was.output);
  assert.match(was.output, new RegExp(spec.output));

  const fixedDir = copyOf(name);
  const { text: fixed, applied } = await applyAllFixes(original, fixedDir, spec);
  fs.writeFileSync(path.join(fixedDir, 'Dockerfile'), fixed);
  console.log(`${name}: ${spec.why}\n  ${applied.join('\n  ')}\n${fixed.replace(/^/gm, '  | ')}`);
  const outcome = await buildFixture(e, fixedDir, { builder, tag: `li-fix-${name}-${builder}:after` }).catch(
    (err: Error) => {
      throw new Error(`the fixed Dockerfile does not build:\n${fixed}\n${err.message}`);
    },
  );
  const now = await runImage(e, `li-fix-${name}-${builder}:after`);
  assert.equal(now.code, 0, `fixed image fails:\n${fixed}\n${now.output}`);
  assert.equal(now.output, was.output, `the fixed image prints the same:\n${fixed}`);

  if (spec.smaller) {
    const size = async (tag: string) => ((await e.docker.getImage(tag).inspect()) as { Size: number }).Size;
    const [b, a] = [await size(`li-fix-${name}-${builder}:before`), await size(`li-fix-${name}-${builder}:after`)];
    console.log(`${name}: image ${b} bytes before the fixes, ${a} after`);
    assert.ok(a < b, `the fixed image is smaller: ${a} < ${b}`);
  }

  if (spec.cachedAfterEdit) {
    const { file, step } = spec.cachedAfterEdit;
    fs.appendFileSync(path.join(fixedDir, file), '\n');
    const again = await buildFixture(e, fixedDir, { builder, tag: `li-fix-${name}-${builder}:edited` });
    const model = again.model;
    const target = again.steps.find((s) => s.stepIndex !== null && model.steps[s.stepIndex]?.args.includes(step));
    assert.ok(target, `a step running "${step}" in the fixed build:\n${fixed}`);
    assert.equal(target.cached, true, `after editing ${file}, "${step}" comes from the cache:\n${fixed}`);
    const ranBefore = outcome.steps.some((s) => s.stepIndex !== null && !s.cached);
    assert.ok(ranBefore, 'the first fixed build ran its steps');
  }
}

if (names.length === 0 && only.length > 0) throw new Error(`FIXES=${only.join(',')} matches no fixture in ${root}`);
for (const name of names) {
  const spec = specOf(name);
  const builders = spec.builders ?? [spec.builder ?? 'legacy'];
  for (const builder of builders) {
    const label = builders.length > 1 ? `${name} (${builder})` : name;
    engineTest(`fix on ${label}: applied, built and run on the real engine`, { timeout: 10 * 60_000 }, async (e) => {
      await checkFixture(e, name, builder);
    });
  }
}
