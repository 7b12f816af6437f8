// What a person reads about the next build as a whole (the status bar, its tooltip, the forecast command): "next
// build: 4 steps, ~3m40s", "next build: all cached", and the lines with their causes. Per step, describe.ts.

import type { Forecast, StepForecast } from '../analysis/model';
import { formatBytes, formatDuration, listLines } from './format';

/** "next build: 4 steps, ~3m40s" (≥ when a re-run step was never measured), "next build: all cached". */
export function forecastSummary(f: Forecast): string {
  const n = f.lines.length;
  if (n === 0) return 'next build: all cached';
  const steps = `${n} step${n === 1 ? '' : 's'}`;
  if (f.seconds === null) return `next build: ${steps}, time unknown`;
  return `next build: ${steps}, ${f.secondsComplete ? '~' : '≥ '}${formatDuration(f.seconds)}`;
}

/** One re-run step for a list: "line 9: package-lock.json changed since the last build (42s)". */
export function forecastLine(line: number, step: StepForecast | undefined): string {
  const cause = step?.cause ? `: ${step.cause}` : '';
  const cost = step?.seconds != null ? ` (${formatDuration(step.seconds)})` : step ? ' (never measured)' : '';
  return `line ${line}${cause}${cost}`;
}

/** "compared with the buildkit build of 7 Dec 2026, 10:31:05": what the forecast is relative to. */
export function forecastSince(f: Forecast, locale?: string): string {
  const t = new Date(f.since);
  const when = Number.isNaN(t.getTime())
    ? f.since
    : t.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
  return `since ${when} (${f.builder})`;
}

/** The whole forecast as plain-text lines: summary, the re-run lines with causes, the bytes, since, and notes. */
export function forecastDetails(f: Forecast, steps: ReadonlyMap<number, StepForecast>, locale?: string): string[] {
  const out = [forecastSummary(f)];
  if (f.lines.length) {
    out.push(`re-runs line${f.lines.length === 1 ? '' : 's'} ${listLines(f.lines)}`);
    for (const line of f.lines.slice(0, 12)) out.push(`• ${forecastLine(line, steps.get(line))}`);
    if (f.lines.length > 12) out.push(`• and ${f.lines.length - 12} more`);
    if (f.bytes !== null) out.push(`layers to write: ${formatBytes(f.bytes)}`);
  }
  out.push(forecastSince(f, locale));
  for (const note of f.notes) out.push(`note: ${note}`);
  return out;
}
