// What the editor says about one step, in one place: the label at the end of its line (editor annotations and inlay
// hints), the inlay hint's tooltip (plain text) and the hover (Markdown). In the hover, text that is not ours (the
// keyword, stage names, bases, notes, reasons and messages that quote the Dockerfile, paths in an image) goes in
// through markdownText or markdownCode, so that a Dockerfile cannot add a link, an image or HTML.

import type { Analysis, StepResult } from '../analysis/model';
import { showsCacheRisk } from '../analysis/steps';
import { markdownCode, markdownText as md } from './escape';
import { describeSize, formatBytes, formatSeconds, formatSize, listLines, rebuildCost } from './format';

/** The parts of a step's label, for editors that show only some of them. */
export interface StepLabelParts {
  /** "≈ 85.0 MB" (estimate), "84.6 MB" (measured) or "size ?". */
  size?: string;
  /** "cache high". */
  cache?: string;
  /** From the last build: "cached", "ran 12.3 s". */
  build?: string;
}

export function stepLabelParts(s: StepResult): StepLabelParts {
  const parts: StepLabelParts = {};
  if (s.size) parts.size = formatSize(s.size);
  else if (s.step.createsLayer) parts.size = 'size ?';
  if (showsCacheRisk(s.step)) parts.cache = `cache ${s.cacheRisk.level}`;
  const m = s.measured;
  if (m?.cached !== undefined)
    parts.build = m.cached ? 'cached' : m.durationMs !== undefined ? `ran ${formatSeconds(m.durationMs)}` : 'ran';
  return parts;
}

/** Short label for the end of an instruction line: "≈ 85.0 MB · cache high"; '' when there is nothing to say. */
export function stepLabel(s: StepResult): string {
  const p = stepLabelParts(s);
  return [p.size, p.cache, p.build].filter((x) => x !== undefined).join(' · ');
}

/**
 * Plain text for the tooltip of a step's inlay hint: its size with the basis, its cache risk and the reasons (the
 * risk where the label shows it: showsCacheRisk).
 */
export function stepTooltip(s: StepResult): string {
  const size = s.size ? describeSize(s.size) : '';
  if (!showsCacheRisk(s.step)) return size;
  const reasons = s.cacheRisk.reasons.length ? `\n${s.cacheRisk.reasons.map((r) => `• ${r}`).join('\n')}` : '';
  return `${size ? size + '\n' : ''}cache risk: ${s.cacheRisk.level}${reasons}`;
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
  const m = s.measured;
  if (m) {
    const runs =
      m.cached === undefined
        ? ''
        : m.cached
          ? 'came from the build cache'
          : `ran${m.durationMs !== undefined ? ` for ${formatSeconds(m.durationMs)}` : ''}`;
    if (runs) out.push('', `**Last build:** ${runs}`);
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
