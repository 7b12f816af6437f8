// Plain-text sentences for tooltips.

import type { StepResult } from '../analysis/model';
import { formatSize } from '../report/format';

export function describeRisk(s: StepResult): string {
  const size = s.size ? `${formatSize(s.size)} (${s.size.source}: ${s.size.basis})\n` : '';
  const reasons = s.cacheRisk.reasons.length ? `\n${s.cacheRisk.reasons.map((r) => `• ${r}`).join('\n')}` : '';
  return `${size}cache risk: ${s.cacheRisk.level}${reasons}`;
}
