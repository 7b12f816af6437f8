// Shared by the rule tests: apply a finding's text edits exactly as an editor would (the production applyEdits,
// which refuses edits that do not fit the text), analyse again, and check that only the rewritten instructions changed.

import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import type { Analysis, AnalysisFacts, BuildContextFacts, Finding, TextEdit } from '../../server/src/analysis/model';
import { applyEdits } from '../../server/src/analysis/rewrite/edits';

export function context(paths: string[]): BuildContextFacts {
  return { root: '/ctx', files: paths.map((p) => ({ path: p, bytes: 100 })), truncated: false, hasDockerignore: false };
}

export function run(text: string, facts: AnalysisFacts = {}): Analysis {
  return analyze(text, facts);
}

export function findings(text: string, rule: string, facts: AnalysisFacts = {}): Finding[] {
  return run(text, facts).findings.filter((f) => f.rule === rule);
}

function countRules(fs: Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) m.set(f.rule, (m.get(f.rule) ?? 0) + 1);
  return m;
}

/** Lines of `before` untouched by the edits must appear, in order, in `after`. */
function untouchedKept(before: string, after: string, edits: TextEdit[]): void {
  const lines = before.split(/\r?\n/);
  const touched = (l: number) =>
    edits.some((e) => {
      if (e.startLine === e.endLine && e.startColumn === e.endColumn) {
        // an insertion changes its line, unless it adds whole lines before or after it
        const wholeBefore = e.startColumn === 1 && /\n$/.test(e.newText);
        const wholeAfter = e.startColumn === (lines[e.startLine - 1] ?? '').length + 1 && /^\r?\n/.test(e.newText);
        return l === e.startLine && !wholeBefore && !wholeAfter;
      }
      return l >= e.startLine && (l < e.endLine || (l === e.endLine && e.endColumn > 1));
    });
  const keep = lines.filter((_, i) => !touched(i + 1));
  const afterLines = after.split(/\r?\n/);
  let j = 0;
  for (const l of afterLines) if (j < keep.length && l === keep[j]) j++;
  assert.equal(j, keep.length, `a line outside the rewritten instructions changed: ${JSON.stringify(keep[j])}`);
}

export interface FixResult {
  fixed: string;
  before: Analysis;
  after: Analysis;
}

/**
 * Applies the preferred fix of the first finding of `rule` and checks what every fix must guarantee: that
 * finding is gone, the other rules report the same, lines outside the rewrite are untouched, the file's EOL is
 * kept, and the result parses as cleanly as the original.
 */
export function applyFix(
  text: string,
  rule: string,
  facts: AnalysisFacts = {},
  opts: { otherRulesMayChange?: boolean } = {},
): FixResult {
  const before = run(text, facts);
  const target = before.findings.find((f) => f.rule === rule);
  assert.ok(target, `no ${rule} finding in:\n${text}`);
  const fix = target.fixes.find((f) => f.preferred) ?? target.fixes[0];
  assert.ok(fix, `${rule} finding at line ${target.line} has no fix`);
  const fixed = applyEdits(text, fix.edits);
  const after = run(fixed, facts);
  const targetText = before.model.lines[target.line - 1];
  const sameLine = after.findings.filter((f) => f.rule === rule && after.model.lines[f.line - 1] === targetText);
  assert.equal(sameLine.length, 0, `the ${rule} finding is still there after its fix:\n${fixed}`);
  assert.ok(
    after.findings.filter((f) => f.rule === rule).length < before.findings.filter((f) => f.rule === rule).length,
    `fix did not reduce ${rule} findings:\n${fixed}`,
  );
  if (!opts.otherRulesMayChange) {
    const b = countRules(before.findings.filter((f) => f.rule !== rule));
    const a = countRules(after.findings.filter((f) => f.rule !== rule));
    assert.deepEqual(a, b, `other findings changed:\n${fixed}`);
  }
  untouchedKept(text, fixed, fix.edits);
  if (text.includes('\r\n'))
    assert.ok(!/[^\r]\n/.test(fixed) && !fixed.startsWith('\n'), 'fix introduced a bare LF into a CRLF file');
  else assert.ok(!fixed.includes('\r'), 'fix introduced CR into an LF file');
  assert.equal(
    after.model.problems.length,
    before.model.problems.length,
    `fixed text reads worse: ${after.model.problems.join('; ')}`,
  );
  assert.equal(after.model.stages.length, before.model.stages.length);
  return { fixed, before, after };
}

/** Dockerfile text from lines (LF). */
export function df(...lines: string[]): string {
  return lines.join('\n') + '\n';
}
