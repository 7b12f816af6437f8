// What the engine cache tests compare: the RUN/COPY/ADD lines the engine ran again in a build (not served from its
// cache), the lines we mark high in the stages the builder runs, and the lines stepsAffectedBy names for an edited
// file. Fixtures are copied to a private folder per test, so edits never touch the repository. Nothing here is a
// test itself.

import { after } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { builtStages, stepsAffectedBy } from '../../server/src/analysis/cache';
import type { Analysis, BuildContextFacts } from '../../server/src/analysis/model';
import type { Builder } from '../../server/src/engine/build';
import { readBuildContext } from '../../server/src/facts/context';
import { fixturesDir, type PlacedOutcome } from './harness';

export const LAYER_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/** A function that copies a fixture folder of test/fixtures/engine/cache to a private folder (removed at the end). */
export function fixtureCopier(prefix: string): (name: string) => string {
  const work: string[] = [];
  after(() => {
    for (const d of work) fs.rmSync(d, { recursive: true, force: true });
  });
  return (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${name}-`));
    work.push(dir);
    fs.cpSync(path.join(fixturesDir(), 'cache', name), dir, { recursive: true });
    return dir;
  };
}

/** Lines of the RUN/COPY/ADD steps the engine ran (not cached) in a build. */
export function reran(outcome: PlacedOutcome): number[] {
  const lines = new Set<number>();
  for (const s of outcome.steps) {
    if (s.line === null || s.stepIndex === null || s.cached) continue;
    const step = outcome.model.steps[s.stepIndex];
    if (step && LAYER_KEYWORDS.has(step.keyword)) lines.add(s.line);
  }
  return [...lines].sort((a, b) => a - b);
}

/** The stages the builder runs for the target: BuildKit only those the target needs, legacy every one up to it. */
export function stagesRun(a: Analysis, builder: Builder): Set<number> {
  if (builder === 'buildkit') return builtStages(a.model);
  return new Set(a.model.stages.filter((s) => s.index <= a.model.target).map((s) => s.index));
}

/** Lines of the RUN/COPY/ADD steps we mark high, in the stages the builder runs for the target. */
export function predictedHigh(a: Analysis, builder: Builder): number[] {
  const stages = stagesRun(a, builder);
  return a.steps
    .filter((s) => LAYER_KEYWORDS.has(s.step.keyword) && stages.has(s.step.stage) && s.cacheRisk.level === 'high')
    .map((s) => s.step.line)
    .sort((x, y) => x - y);
}

/** Lines of the RUN/COPY/ADD steps stepsAffectedBy says an edit of `file` re-runs, in the stages the builder runs. */
export function predictedFor(a: Analysis, context: BuildContextFacts, builder: Builder, file: string): number[] {
  const stages = stagesRun(a, builder);
  return [...stepsAffectedBy(a.model, { context }, file)]
    .map((i) => a.model.steps[i])
    .filter((s) => LAYER_KEYWORDS.has(s.keyword) && stages.has(s.stage))
    .map((s) => s.line)
    .sort((x, y) => x - y);
}

/** The folder's Dockerfile analysed with its context listing, as the CLI does. */
export async function analyseFolder(dir: string): Promise<{ analysis: Analysis; context: BuildContextFacts }> {
  const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const context = await readBuildContext(dir);
  return { analysis: analyze(text, { context }), context };
}

/** Each step of a build, one line each: for an assertion's message. */
export function buildLog(outcome: PlacedOutcome): string {
  return outcome.steps.map((s) => `${s.line} ${s.cached ? 'CACHED' : 'ran'} ${s.name}`).join('\n');
}
