// The text format a person reads in a terminal: the Dockerfile's lines with each step's size and cache risk
// at the end of its first line (the risk only where a re-run costs something: showsCacheRisk), then the findings
// with their fixes, then the image total. Text that is not ours (the Dockerfile's lines, its file name, messages
// quoting it) goes through escapeControls: the only control sequences written are our colours.

import { fixesForAll, groupFindings } from '../analysis/groups';
import type { Analysis, CacheRiskLevel, Severity, StepResult } from '../analysis/model';
import { showsCacheRisk } from '../analysis/steps';
import { escapeControls as safe } from './escape';
import { forecastHeadline, formatSize, listLines, rebuildCost } from './format';

export interface TextOptions {
  color: boolean;
  /** Terminal width for aligning the annotations. */
  width?: number;
}

/** Heredoc body lines shown before the rest is folded into one line. */
const HEREDOC_SHOWN = 4;

const RISK_COLOR: Record<CacheRiskLevel, string> = { low: '32', medium: '33', high: '31' };
const SEV_COLOR: Record<Severity, string> = { error: '31;1', warning: '33', info: '36', hint: '2' };

/** Colours a piece of text with an SGR code, or leaves it plain. */
type Paint = (code: string, s: string) => string;

export function toText(fileName: string, a: Analysis, opts: TextOptions): string {
  const file = safe(fileName);
  const c: Paint = (code, s) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const image = imageHeadline(a.image);
  const out: string[] = [c('1', file) + c('2', `  ${image}`), ''];
  writeLines(out, a, c);
  const unsized = a.steps.filter((s) => !s.size && s.sizeNote);
  if (unsized.length) {
    out.push('');
    out.push(c('2', 'No size estimate for:'));
    for (const s of unsized) out.push(c('2', `  line ${s.step.line}: ${safe(s.sizeNote ?? '')}`));
  }
  out.push('');
  writeFindings(out, file, a, c);
  if (a.rebuild.lines.length) {
    const cost = rebuildCost(a.rebuild);
    const n = a.rebuild.lines.length;
    out.push('');
    out.push(
      `A typical source edit re-runs ${n} layer step${n === 1 ? '' : 's'} (line${n === 1 ? '' : 's'} ${listLines(a.rebuild.lines)})${cost ? `: ${cost}` : ''}.`,
    );
  }
  writeForecast(out, a, c);
  for (const p of a.model.problems) out.push(c('2', `note: ${safe(p)}`));
  return out.join('\n') + '\n';
}

/** With a recorded build: what the next build re-runs, why, and what it costs. */
function writeForecast(out: string[], a: Analysis, c: Paint): void {
  if (a.forecast === undefined) return;
  out.push('');
  if (a.forecast === null) {
    out.push(c('2', 'Next build: no build of this Dockerfile was recorded (layer-insight build records one).'));
    return;
  }
  const f = a.forecast;
  out.push(
    c('1', `Next build ${forecastHeadline(f)}`) + c('2', ` (compared with the ${f.builder} build of ${f.since})`),
  );
  for (const s of a.steps) if (s.forecast?.rerun) out.push(`  line ${s.step.line}: ${safe(s.forecast.cause ?? '')}`);
  for (const n of f.notes) out.push(c('2', `  note: ${safe(n)}`));
}

/** `image ≈ 120 MB (estimate)`, `image ≥ 15 MB (estimate; base x unknown; ...)`; never `≥ 0 B`. */
function imageHeadline(image: Analysis['image']): string {
  if (!image) return 'image size unknown';
  const note = image.note ? `; ${safe(image.note)}` : '';
  if (!image.complete && image.bytes === 0) return `image size unknown (${image.source}${note})`;
  return `image ${formatSize(image)} (${image.source}${note})`;
}

/** The Dockerfile's lines, numbered, each step's size and cache risk at the end of its first line. */
function writeLines(out: string[], a: Analysis, c: Paint): void {
  const byLine = new Map(a.steps.map((s) => [s.step.line, s]));
  // a final line terminator does not make an extra, empty line to show
  const shown =
    a.model.lines.length > 1 && a.model.lines[a.model.lines.length - 1] === ''
      ? a.model.lines.slice(0, -1)
      : a.model.lines;
  const lines = shown.map((l) => safe(l.replace(/\t/g, '  ')));
  const numWidth = String(lines.length).length;
  // annotations line up after the longest instruction line (comments and continuation lines do not count)
  let codeWidth = 20;
  for (const s of a.steps) codeWidth = Math.max(codeWidth, (lines[s.step.line - 1] ?? '').length); // no spread: 100,000s of steps
  codeWidth = Math.min(60, codeWidth);
  const hidden = hiddenHeredocLines(a);
  for (let i = 0; i < lines.length; i++) {
    const skip = hidden.get(i + 1);
    if (skip !== undefined) {
      out.push(c('2', `${' '.repeat(numWidth)}  … ${skip} more line${skip === 1 ? '' : 's'}`));
      i += skip - 1;
      continue;
    }
    const n = c('2', `${String(i + 1).padStart(numWidth)}  `);
    const step = byLine.get(i + 1);
    const ann = step ? annotation(step, c) : '';
    if (!ann) {
      out.push((n + lines[i]).trimEnd());
      continue;
    }
    const line = lines[i];
    const code = line.length > codeWidth ? line.slice(0, codeWidth - 1) + '…' : line.padEnd(codeWidth);
    out.push(n + code + '  ' + ann);
  }
}

/** Long heredoc bodies are shown by their first and last lines: where the hidden lines start, and how many. */
function hiddenHeredocLines(a: Analysis): Map<number, number> {
  const hidden = new Map<number, number>();
  for (const s of a.steps) {
    for (const h of s.step.heredocs) {
      const bodyLines = h.endLine - h.line;
      if (bodyLines > HEREDOC_SHOWN + 2) hidden.set(h.line + HEREDOC_SHOWN, bodyLines - HEREDOC_SHOWN - 1);
    }
  }
  return hidden;
}

/** "   ≈ 85.0 MB  cache high" for a step's line; '' when there is nothing to say. */
function annotation(step: StepResult, c: Paint): string {
  const size = step.size ? formatSize(step.size) : step.step.createsLayer || step.sizeNote ? 'size ?' : '';
  const risk = showsCacheRisk(step.step) ? c(RISK_COLOR[step.cacheRisk.level], `cache ${step.cacheRisk.level}`) : '';
  const next = step.forecast?.rerun ? c('35', '↻ re-runs') : '';
  if (!size && !risk && !next) return '';
  return [size.padStart(11), risk, next].filter(Boolean).join('  ').trimEnd();
}

/** The findings, the same finding at several places once (with its lines and the fixes that fix them all). */
function writeFindings(out: string[], file: string, a: Analysis, c: Paint): void {
  if (a.findings.length === 0) {
    out.push(c('32', 'No findings.'));
    return;
  }
  const groups = groupFindings(a.findings);
  out.push(c('1', `${groups.length} finding${groups.length === 1 ? '' : 's'}:`));
  for (const g of groups) {
    const f = g.first;
    const code = f.hadolint ? `${f.rule} (${f.hadolint})` : f.rule;
    out.push(`  ${file}:${f.line}  ${c(SEV_COLOR[f.severity], f.severity.padEnd(7))}  ${c('1', code)}`);
    const n = g.members.length;
    if (n > 1) out.push(`      at ${n} places: lines ${listLines(g.members.map((m) => m.line))}`);
    out.push(`      ${safe(f.message)}`);
    for (const fix of n > 1 ? fixesForAll(g) : f.fixes) out.push(c('2', `      fix: ${safe(fix.title)}`));
  }
}
