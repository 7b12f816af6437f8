// Shared by the parser tests: a model's step by its first line, and the shape of its steps (keyword and line range).

import assert from 'node:assert/strict';
import type { DockerfileModel, Step } from '../../../server/src/analysis/model';

export const step = (m: DockerfileModel, line: number): Step => {
  const s = m.steps.find((x) => x.line === line);
  assert.ok(s, `a step starts on line ${line}; steps start on ${m.steps.map((x) => x.line).join(', ')}`);
  return s;
};

export const shape = (m: DockerfileModel) => m.steps.map((s) => [s.keyword, s.line, s.endLine]);
