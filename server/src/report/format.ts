// How numbers are shown to people: SI units like `docker history` and dive (1 MB = 1,000,000 bytes).

import type { Forecast, LayerSize, RebuildCost } from '../analysis/model';

export { formatBytes, formatSize } from '../analysis/units';
import { formatBytes, formatSize } from '../analysis/units';

/** "≈ 85.0 MB (estimate: node:20 base table)" — a number with its unit and its source. */
export function describeSize(size: LayerSize): string {
  return `${formatSize(size)} (${size.source}: ${size.basis})`;
}

/** "3, 5, 6" or, past `max` lines, "3, 5, ... 21 and 4,990 more": a long file can re-run thousands of lines. */
export function listLines(lines: readonly number[], max = 12): string {
  if (lines.length <= max) return lines.join(', ');
  return `${lines.slice(0, max).join(', ')} and ${lines.length - max} more`;
}

/** "12.3 s": a duration given in milliseconds. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What a source edit's rebuild costs, as far as it is known: "85.0 MB, 12.3 s", "85.0 MB" or "". */
export function rebuildCost(r: RebuildCost): string {
  return [
    r.bytes !== undefined ? formatBytes(r.bytes) : null,
    r.durationMs !== undefined ? formatSeconds(r.durationMs) : null,
  ]
    .filter(Boolean)
    .join(', ');
}

/** "3m40s", "42s", "1.5s": a build time as the status bar and the CLI show it. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Math.round(seconds * 10) / 10}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${m}m`;
}

/** "re-runs 4 steps (lines 8, 9, 12, 14): ~3m40s, 420.0 MB", or "takes every step from the cache (~1.2s)". */
export function forecastHeadline(f: Forecast): string {
  const time = f.seconds === null ? 'time unknown' : `${f.secondsComplete ? '~' : '≥ '}${formatDuration(f.seconds)}`;
  if (f.lines.length === 0) return `takes every step from the cache (${time})`;
  const n = f.lines.length;
  const bytes = f.bytes ? `, ${formatBytes(f.bytes)}` : '';
  return `re-runs ${n} step${n === 1 ? '' : 's'} (line${n === 1 ? '' : 's'} ${listLines(f.lines)}): ${time}${bytes}`;
}

/** The text cut to `max` characters with "…" at the end when longer (a label's cause; the hover has it whole). */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "because package-lock.json changed"; a cause that already says "because ..." stays as it is. */
export function because(cause: string): string {
  return cause.startsWith('because ') ? cause : `because ${cause}`;
}
