import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { AnalysisFacts, BuildContextFacts, StepResult } from '../../../server/src/analysis/model';
import { readBuildContext } from '../../../server/src/facts/context';

/** The repository root (works from test/ and from the compiled out/test/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export function fixture(...parts: string[]): string {
  return path.join(repoRoot(), 'test', 'fixtures', ...parts);
}

export async function fixtureContext(name: string): Promise<BuildContextFacts> {
  return readBuildContext(fixture(name));
}

/** Size of context files, straight from the file system (the expected values of COPY tests). */
export function sizeOf(root: string, files: string[]): number {
  return files.reduce((n, f) => n + fs.statSync(path.join(root, f)).size, 0);
}

/** The results of the steps on the given 1-based lines. */
export function stepsAt(text: string, facts: AnalysisFacts = {}): (line: number) => StepResult {
  const a = analyze(text, facts);
  return (line: number) => {
    const s = a.steps.find((r) => r.step.line === line);
    if (!s) throw new Error(`no step on line ${line}`);
    return s;
  };
}
