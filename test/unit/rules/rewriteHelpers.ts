// Shared by the rewrite rule tests: run the analysis, take a rule's fix, apply it as an editor would, and
// read the result back with the same parser.

import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import type { Analysis, Finding, Fix, Stage, Step } from '../../../server/src/analysis/model';
import { applyEdits } from '../../../server/src/analysis/rewrite/edits';

export function findingOf(a: Analysis, rule: string): Finding | undefined {
  return a.findings.find((f) => f.rule === rule);
}

export function applyFix(text: string, fix: Fix): string {
  return applyEdits(text, fix.edits);
}

/** Applies the preferred (or first) fix of `rule` and returns the new text and its analysis. */
export function rewrite(
  text: string,
  rule: string,
): { fix: Fix; finding: Finding; text: string; after: Analysis; before: Analysis } {
  const before = analyze(text);
  const finding = findingOf(before, rule);
  assert.ok(finding, `${rule} should fire on:\n${text}`);
  assert.ok(finding.fixes.length > 0, `${rule} should offer a fix: ${finding.message}`);
  const fix = finding.fixes.find((f) => f.preferred) ?? finding.fixes[0];
  const out = applyFix(text, fix);
  const after = analyze(out);
  return { fix, finding, text: out, after, before };
}

export function finalStage(a: Analysis): Stage {
  return a.model.stages[a.model.target];
}

export function stepsOf(a: Analysis, stage: Stage): Step[] {
  return stage.steps.map((i) => a.model.steps[i]);
}

/** The last instruction `keyword` of a stage, as written (arguments text). */
export function lastArgs(a: Analysis, stage: Stage, keyword: string): string | undefined {
  return stepsOf(a, stage)
    .filter((s) => s.keyword === keyword)
    .pop()?.args;
}

/** All values of an instruction in a stage (EXPOSE, ENV ...). */
export function allArgs(a: Analysis, stage: Stage, keyword: string): string[] {
  return stepsOf(a, stage)
    .filter((s) => s.keyword === keyword)
    .map((s) => s.args);
}
