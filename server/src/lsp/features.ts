// The LSP features, each answering from the cached analysis of the document's current version.

import {
  CodeAction, Diagnostic, Hover, InlayHint, InlayHintKind, MarkupKind, Position, Range,
} from 'vscode-languageserver';
import type { AnnotationsParams } from '../protocol';
import { describeRisk } from './text';
import { stepHover, stepLabel, stepLabelParts } from '../report/describe';
import { findingKey } from '../analysis/analyze';
import { findingRange, SEVERITY_OF, toCodeAction, toDiagnostic } from './convert';
import { stepAt, type Entry } from './store';

export function diagnostics(entry: Entry): Diagnostic[] {
  const lines = entry.analysis.model.lines;
  return entry.analysis.findings.map((f) => {
    // a finding an edit did not change keeps its diagnostic object (and the stdio writer its encoded bytes)
    const key = findingKey(f);
    const kept = key && diagnosticOf.get(key);
    if (kept && kept.severity === SEVERITY_OF[f.severity] && kept.code === f.rule) return kept;
    const d = toDiagnostic(f, lines);
    if (key) diagnosticOf.set(key, d);
    return d;
  });
}

const diagnosticOf = new WeakMap<object, Diagnostic>();

export function hover(entry: Entry, position: Position): Hover | null {
  const s = stepAt(entry, position.line);
  if (!s) return null;
  const lineText = entry.analysis.model.lines[s.step.line - 1] ?? '';
  return {
    contents: { kind: MarkupKind.Markdown, value: stepHover(entry.analysis, s) },
    range: Range.create(s.step.line - 1, s.step.column - 1, s.step.line - 1, lineText.replace(/\s+$/, '').length),
  };
}

export function codeActions(entry: Entry, range: Range): CodeAction[] {
  const lines = entry.analysis.model.lines;
  const actions: CodeAction[] = [];
  for (const f of entry.analysis.findings) {
    // the range test first: fixes are built when first read
    const r = findingRange(f, lines);
    if (r.end.line < range.start.line || r.start.line > range.end.line) continue;
    if (f.fixes.length === 0) continue;
    const d = toDiagnostic(f, lines);
    for (const fix of f.fixes) actions.push(toCodeAction(entry.uri, fix, d));
  }
  return actions;
}

export function inlayHints(entry: Entry, range: Range): InlayHint[] {
  const out: InlayHint[] = [];
  for (const s of entry.analysis.steps) {
    const line0 = s.step.line - 1;
    if (line0 < range.start.line || line0 > range.end.line || s.step.stage < 0) continue;
    const text = entry.analysis.model.lines[line0] ?? '';
    out.push({
      position: Position.create(line0, text.length),
      label: ` ${stepLabel(s)}`,
      kind: InlayHintKind.Parameter,
      paddingLeft: true,
      tooltip: describeRisk(s),
    });
  }
  return out;
}

export function annotations(entry: Entry): AnnotationsParams {
  const a = entry.analysis;
  return {
    uri: entry.uri,
    version: entry.version,
    mode: a.steps.some((s) => s.size?.source === 'measured') ? 'measured' : 'estimate',
    image: a.image,
    steps: a.steps.filter((s) => s.step.stage >= 0).map((s) => ({
      line: s.step.line,
      endLine: s.step.endLine,
      instruction: s.step.keyword,
      layer: s.step.createsLayer,
      size: s.size,
      label: stepLabel(s),
      parts: stepLabelParts(s),
      cacheRisk: { level: s.cacheRisk.level, reasons: s.cacheRisk.reasons },
      ...(s.measured?.cached !== undefined ? { cached: s.measured.cached } : {}),
      ...(s.measured?.durationMs !== undefined ? { durationMs: s.measured.durationMs } : {}),
    })),
  };
}
