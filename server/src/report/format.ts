// How numbers are shown to people: SI units like `docker history` and dive (1 MB = 1,000,000 bytes).

import type { LayerSize } from '../analysis/model';

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

/** "≈ 85.0 MB" for estimates, "84.6 MB" for measured sizes. */
export function formatSize(size: LayerSize | { bytes: number; source: string }): string {
  return `${size.source === 'estimate' ? '≈ ' : ''}${formatBytes(size.bytes)}`;
}

/** "≈ 85.0 MB (estimate: node:20 base table)" — a number with its unit and its source. */
export function describeSize(size: LayerSize): string {
  return `${formatSize(size)} (${size.source}: ${size.basis})`;
}
