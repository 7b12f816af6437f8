// Byte counts for people: SI units like `docker history` and dive (1 MB = 1,000,000 bytes). Pure, so the
// analysis can put numbers in messages and fix titles; report/format.ts re-exports these for the views.

import type { LayerSize } from './model';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const abs = Math.abs(bytes);
  if (abs < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** "≈ 85.0 MB" for estimates, "≥ 85.0 MB" for lower bounds, "84.6 MB" for measured sizes. */
export function formatSize(size: LayerSize | { bytes: number; source: string; complete?: boolean }): string {
  const atLeast = ('lowerBound' in size && size.lowerBound === true) || ('complete' in size && size.complete === false);
  return `${atLeast ? '≥ ' : size.source === 'estimate' ? '≈ ' : ''}${formatBytes(size.bytes)}`;
}
