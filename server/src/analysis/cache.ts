// The cache-risk model: what inputs each step has, and how a cache miss flows down to every later step.

import type { AnalysisFacts, CacheRisk, DockerfileModel, RebuildCost } from './model';

export interface CacheAssessment {
  /** By step index. */
  risks: CacheRisk[];
  rebuild: RebuildCost;
}

export function assessCache(model: DockerfileModel, facts: AnalysisFacts): CacheAssessment {
  void facts;
  const risks: CacheRisk[] = model.steps.map(() => ({ level: 'low', reasons: [] }));
  return { risks, rebuild: { lines: [] } };
}
