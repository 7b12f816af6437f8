// What the editor says about one step, in one place: the label at the end of its line (editor annotations and inlay
// hints), the inlay hint's tooltip (plain text) and the hover (Markdown). In the hover, text that is not ours (the
// keyword, stage names, bases, notes, reasons and messages that quote the Dockerfile, paths in an image) goes in
// through markdownText or markdownCode, so that a Dockerfile cannot add a link, an image or HTML.

import type { Analysis, StepForecast, StepResult } from '../analysis/model';
import { showsCacheRisk } from '../analysis/steps';
import { markdownCode, markdownText as md } from './escape';
import {
  because,
  describeSize,
  formatBytes,
  formatSeconds,
  formatSize,
  listLines,
  rebuildCost,
  shorten,
} from './format';

/** The parts of a step's label, for editors that show only some of them. */
export interface StepLabelParts {
  /** "≈ 85.0 MB" (estimate), "84.6 MB" (measured) or "size ?". */
  size?: string;
  /** "cache high". */
  cache?: string;
  /** From the last build: "cached", "ran 12.3 s", with why it ran when known: "ran 12.3 s: a.json changed". */
  build?: string;
  /** The next build (compared with the last recorded one): "↻ re-runs" when it re-runs this step. */
  next?: string;
}

/** The mark of a step the next build re-runs, at the end of its line. */
export const RERUN_MARK = '↻ re-runs';

export function stepLabelParts(s: StepResult): StepLabelParts {
  const parts: StepLabelParts = {};
  if (s.size) parts.size = formatSize(s.size);
  else if (s.step.createsLayer) parts.size = 'size ?';
  if (showsCacheRisk(s.step)) parts.cache = `cache ${s.cacheRisk.level}`;
  const m = s.measured;
  const hit = s.lastBuild ? s.lastBuild.hit : m?.cached;
  if (hit !== undefined) {
    const ran = m?.durationMs !== undefined ? `ran ${formatSeconds(m.durationMs)}` : 'ran';
    const cause = s.lastBuild?.cause;
    parts.build = hit ? 'cached' : cause ? `${ran}: ${shorten(cause, LABEL_CAUSE)}` : ran;
  }
  // a step that only sets metadata re-runs at no cost: no mark
  if (s.forecast?.rerun && (s.step.createsLayer || showsCacheRisk(s.step))) parts.next = RERUN_MARK;
  return parts;
}

/** The longest cause shown at the end of a line (the hover has it whole). */
const LABEL_CAUSE = 48;

/** Short label for the end of an instruction line: "≈ 85.0 MB · cache high"; '' when there is nothing to say. */
export function stepLabel(s: StepResult): string {
  const p = stepLabelParts(s);
  return [p.size, p.cache, p.build, p.next].filter((x) => x !== undefined).join(' · ');
}

/**
 * Plain text for the tooltip of a step's inlay hint: its size with the basis, its cache risk and the reasons (the
 * risk where the label shows it: showsCacheRisk).
 */
export function stepTooltip(s: StepResult): string {
  const lines: string[] = [];
  if (s.size) lines.push(describeSize(s.size));
  if (showsCacheRisk(s.step)) {
    lines.push(`cache risk: ${s.cacheRisk.level}`);
    for (const r of s.cacheRisk.reasons) lines.push(`• ${r}`);
  }
  if (s.lastBuild) lines.push(`last build: ${lastBuildText(s)}`);
  if (s.forecast) lines.push(`next build: ${nextBuildText(s.forecast)}`);
  return lines.join('\n');
}

/** "re-runs because package-lock.json changed since the last build · took 42.0 s last time" or "from the cache". */
export function nextBuildText(f: StepForecast): string {
  if (!f.rerun) return 'from the cache';
  const size = f.bytes !== null ? `, ${formatSize({ bytes: f.bytes, source: f.source })}` : '';
  const cost = f.seconds !== null ? ` · took ${formatSeconds(f.seconds * 1000)} last time${size}` : ' · never measured';
  return `re-runs${f.cause ? ` ${because(f.cause)}` : ''}${cost}`;
}

/** "came from the build cache", "ran for 12.3 s because package-lock.json changed". */
function lastBuildText(s: StepResult): string {
  const m = s.measured;
  const hit = s.lastBuild ? s.lastBuild.hit : m?.cached;
  if (hit === undefined) return '';
  if (hit) return 'came from the build cache';
  const cause = s.lastBuild?.cause;
  return `ran${m?.durationMs !== undefined ? ` for ${formatSeconds(m.durationMs)}` : ''}${cause ? ` ${because(cause)}` : ''}`;
}

/** Markdown for the hover on a step. */
export function stepHover(a: Analysis, s: StepResult): string {
  const out: string[] = [];
  const step = s.step;
  const stage = step.stage >= 0 ? a.model.stages[step.stage] : undefined;
  const where = stage
    ? ` · stage ${stage.name !== null ? md(stage.name) : stage.index}${stage.reachesFinal ? '' : ' (not in the final image)'}`
    : '';
  out.push(`**${md(step.keyword)}**${where}`);
  out.push('');
  if (s.size) {
    out.push(`**Layer size:** ${formatSize(s.size)} (${s.size.source}: ${md(s.size.basis)})`);
  } else if (step.createsLayer || s.sizeNote) {
    out.push(`**Layer size:** unknown${s.sizeNote ? ` (${md(s.sizeNote)})` : ''}`);
  } else if (step.keyword !== 'FROM') {
    out.push('**Layer size:** none: this instruction only changes the image metadata');
  }
  if (s.forecast) out.push('', `**Next build:** ${md(nextBuildText(s.forecast))}`);
  const runs = lastBuildText(s);
  if (runs) out.push('', `**Last build:** ${md(runs)}`);
  const m = s.measured;
  if (m) {
    if (m.wastedBytes)
      out.push(
        '',
        `**Wasted:** ${formatBytes(m.wastedBytes)} of this layer are deleted or overwritten by a later layer but still shipped`,
      );
    if (m.removesBytes)
      out.push(
        '',
        `**Removes:** ${formatBytes(m.removesBytes)} created by earlier layers; those bytes stay in the image`,
      );
    if (m.largestFiles?.length) {
      out.push('', '**Largest files added:**');
      for (const f of m.largestFiles.slice(0, 5)) out.push(`- ${markdownCode(f.path)} ${formatBytes(f.bytes)}`);
    }
  }
  if (step.stage >= 0) {
    out.push('', `**Cache risk:** ${s.cacheRisk.level}`);
    for (const r of s.cacheRisk.reasons) out.push(`- ${md(r)}`);
  }
  if (a.rebuild.lines.length && a.rebuild.lines.includes(step.line)) {
    const cost = rebuildCost(a.rebuild);
    const lines = a.rebuild.lines;
    out.push(
      '',
      `**Rebuild cost of a source edit:** re-runs line${lines.length === 1 ? '' : 's'} ${listLines(lines)}${cost ? ` (${cost})` : ''}`,
    );
  }
  const findings = a.findings.filter((f) => f.line >= step.line && f.line <= step.endLine);
  if (findings.length) {
    out.push('', '**Findings:**');
    for (const f of findings) {
      out.push(`- ${markdownCode(f.rule)} ${md(f.message)}`);
      for (const fix of f.fixes) out.push(`  - quick fix: ${md(fix.title)}`);
    }
  }
  return out.join('\n');
}
