// How numbers are shown to people: SI units like `docker history` and dive (1 MB = 1,000,000 bytes).

import type { LayerSize, RebuildCost } from '../analysis/model';

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
