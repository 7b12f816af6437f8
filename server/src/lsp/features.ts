// The LSP features, each answering from the cached analysis of the document's current version.

import {
  CodeAction,
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  Hover,
  InlayHint,
  InlayHintKind,
  MarkupKind,
  Position,
  Range,
} from 'vscode-languageserver';
import type { AnnotationsParams } from '../protocol';
import { stepHover, stepLabel, stepLabelParts, stepTooltip } from '../report/describe';
import { findingKey } from '../analysis/analyze';
import { fixesForAll, groupFindings, type FindingGroup } from '../analysis/groups';
import { SEVERITIES, type Finding } from '../analysis/model';
import { findingRange, SEVERITY_OF, SOURCE, toCodeAction, toDiagnostic } from './convert';
import { stepAt, type Entry } from './store';

/**
 * The diagnostics published for the document: at most MAX_DIAGNOSTICS of them, chosen as VS Code would (see capped).
 */
export function diagnostics(entry: Entry): Diagnostic[] {
  const findingOf = new Map<Diagnostic, Finding>();
  const kept = capped(allDiagnostics(entry, findingOf), entry.analysis.model.lines);
  return withRelated(entry, kept, findingOf);
}

function allDiagnostics(entry: Entry, findingOf: Map<Diagnostic, Finding>): Diagnostic[] {
  const lines = entry.analysis.model.lines;
  return entry.analysis.findings.map((f) => {
    // a finding an edit did not change keeps its diagnostic object (and the stdio writer its encoded bytes)
    const key = findingKey(f);
    let d = key && diagnosticOf.get(key);
    if (!d || d.severity !== SEVERITY_OF[f.severity] || d.code !== f.rule) {
      d = toDiagnostic(f, lines);
      if (key) diagnosticOf.set(key, d);
    }
    findingOf.set(d, f);
    return d;
  });
}

const diagnosticOf = new WeakMap<object, Diagnostic>();

/** The other places one diagnostic links to (VS Code lists them under it): at most this many. */
export const MAX_RELATED = 20;
/** And at most this many links in all the diagnostics sent: a file of thousands of repeats stays a small message. */
export const MAX_RELATED_TOTAL = 500;

/**
 * The diagnostics sent, those of a finding at several places with `relatedInformation` linking its other places
 * (up to MAX_RELATED each, MAX_RELATED_TOTAL in all, in document order). Only the diagnostics kept after the cap get
 * links; one whose group did not change keeps its object.
 */
function withRelated(entry: Entry, sent: Diagnostic[], findingOf: Map<Diagnostic, Finding>): Diagnostic[] {
  const groups = repeated(entry.analysis.findings);
  if (groups.size === 0) return sent;
  const signatures = new Map<FindingGroup, string>();
  let budget = MAX_RELATED_TOTAL;
  return sent.map((d) => {
    const f = findingOf.get(d);
    const group = f && groups.get(f);
    if (!f || !group || budget === 0) return d;
    const links = Math.min(group.members.length - 1, MAX_RELATED, budget);
    budget -= links;
    let base = signatures.get(group);
    if (base === undefined) signatures.set(group, (base = signature(group)));
    const sig = `${base}#${links}`;
    const kept = linkedOf.get(d);
    if (kept && kept.sig === sig) return kept.d;
    const linked = { ...d, relatedInformation: related(entry.uri, f, group, entry.analysis.model.lines, links) };
    linkedOf.set(d, { d: linked, sig });
    return linked;
  });
}

/** Per diagnostic, its copy with links to the other places, and what those links were made from. */
const linkedOf = new WeakMap<Diagnostic, { d: Diagnostic; sig: string }>();

/** Each finding that is at several places, with its group. */
function repeated(findings: readonly Finding[]): Map<Finding, FindingGroup> {
  let out = repeatedOf.get(findings);
  if (out) return out;
  out = new Map<Finding, FindingGroup>();
  for (const g of groupFindings(findings)) if (g.members.length > 1) for (const f of g.members) out.set(f, g);
  repeatedOf.set(findings, out);
  return out;
}

const repeatedOf = new WeakMap<readonly Finding[], Map<Finding, FindingGroup>>();

/** What the related places of a group's diagnostics depend on: its size and the places listed. */
function signature(g: FindingGroup): string {
  const listed = g.members.slice(0, MAX_RELATED + 1).map((f) => `${f.line}:${f.column ?? ''}:${f.endLine}`);
  return `${g.members.length}/${listed.join(',')}`;
}

/** The group's other places (the first `max` of them), each "same finding here (k of n)". */
function related(
  uri: string,
  f: Finding,
  g: FindingGroup,
  lines: string[],
  max: number,
): DiagnosticRelatedInformation[] {
  const out: DiagnosticRelatedInformation[] = [];
  const n = g.members.length;
  for (let k = 0; k < n && out.length < max; k++) {
    const m = g.members[k];
    if (m === f) continue;
    out.push({ location: { uri, range: findingRange(m, lines) }, message: `same finding here (${k + 1} of ${n})` });
  }
  return out;
}

/**
 * VS Code keeps at most 1,000 diagnostics per file and collection (ExtHostDiagnostics._maxDiagnosticsPerFile in its
 * extension host): errors first, then warnings, information and hints, each in the order given, and one
 * "Not showing N further errors and warnings" marker. Sending more costs every keystroke a larger message to write
 * and parse (a 5,000-line file's 3,300 findings are ~1 MB) for nothing on screen. The server makes the same choice
 * before sending (max - 1 of them) and says so in one more diagnostic, on line 1; quick fixes still come from every
 * finding (codeActions
 * reads the analysis), and the CLI lists all of them.
 */
export const MAX_DIAGNOSTICS = 1000;
export const MORE_FINDINGS = 'more-findings';

export function capped(all: Diagnostic[], lines: readonly string[], max = MAX_DIAGNOSTICS): Diagnostic[] {
  if (all.length <= max) return all;
  // how many of each severity fit, most severe first; then the first that many of each, in document order
  const count = new Map<number, number>();
  for (const d of all) count.set(rank(d), (count.get(rank(d)) ?? 0) + 1);
  const room = new Map<number, number>();
  let left = max - 1; // and the notice: VS Code would cut a list of max + 1 itself
  for (const severity of SEVERITIES.map((s) => SEVERITY_OF[s])) {
    const n = Math.min(left, count.get(severity) ?? 0);
    room.set(severity, n);
    left -= n;
  }
  const out: Diagnostic[] = [];
  for (const d of all) {
    const r = room.get(rank(d)) ?? 0;
    if (r === 0) continue;
    room.set(rank(d), r - 1);
    out.push(d);
  }
  const hidden = all.length - out.length;
  out.push({
    range: Range.create(0, 0, 0, (lines[0] ?? '').trimEnd().length),
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: MORE_FINDINGS,
    message:
      `${hidden.toLocaleString('en-US')} more findings are not shown: an editor keeps ${max.toLocaleString('en-US')} per file, ` +
      'the most severe first. `layer-insight analyze` on this file lists them all.',
  });
  return out;
}

/** A diagnostic without a severity is shown as an error by VS Code. */
const rank = (d: Diagnostic): number => d.severity ?? DiagnosticSeverity.Error;

export function hover(entry: Entry, position: Position): Hover | null {
  const s = stepAt(entry, position.line);
  if (!s) return null;
  const lineText = entry.analysis.model.lines[s.step.line - 1] ?? '';
  return {
    contents: { kind: MarkupKind.Markdown, value: stepHover(entry.analysis, s) },
    range: Range.create(s.step.line - 1, s.step.column - 1, s.step.line - 1, lineText.replace(/\s+$/, '').length),
  };
}

/**
 * The quick fixes of the findings on the range: each finding's own fixes, and for a finding at several places, once,
 * the fixes that fix every place ("Fix all 12: Use COPY").
 */
export function codeActions(entry: Entry, range: Range): CodeAction[] {
  const lines = entry.analysis.model.lines;
  const groups = repeated(entry.analysis.findings);
  const done = new Set<FindingGroup>();
  const actions: CodeAction[] = [];
  for (const f of entry.analysis.findings) {
    // the range test first: fixes are built when first read
    const r = findingRange(f, lines);
    if (r.end.line < range.start.line || r.start.line > range.end.line) continue;
    if (f.fixes.length === 0) continue;
    const d = toDiagnostic(f, lines);
    for (const fix of f.fixes) actions.push(toCodeAction(entry.uri, fix, d));
    const group = groups.get(f);
    if (!group || done.has(group)) continue;
    done.add(group);
    for (const fix of fixesForAll(group)) actions.push(toCodeAction(entry.uri, fix, d));
  }
  return actions;
}

export function inlayHints(entry: Entry, range: Range): InlayHint[] {
  const out: InlayHint[] = [];
  for (const s of entry.analysis.steps) {
    const line0 = s.step.line - 1;
    if (line0 < range.start.line || line0 > range.end.line || s.step.stage < 0) continue;
    // a step with nothing to say (ENV, CMD: no layer, no cache risk shown) gets no hint
    const label = stepLabel(s);
    if (!label) continue;
    const text = entry.analysis.model.lines[line0] ?? '';
    const tooltip = stepTooltip(s);
    out.push({
      position: Position.create(line0, text.length),
      label: ` ${label}`,
      kind: InlayHintKind.Parameter,
      paddingLeft: true,
      ...(tooltip ? { tooltip } : {}),
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
    steps: a.steps
      .filter((s) => s.step.stage >= 0)
      .map((s) => ({
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
        ...(s.forecast ? { forecast: s.forecast } : {}),
        ...(s.lastBuild ? { lastBuild: s.lastBuild } : {}),
      })),
    // absent until the server records builds; null once it does and none of this file was recorded
    ...(a.forecast !== undefined ? { forecast: a.forecast } : {}),
  };
}
