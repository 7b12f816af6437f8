// RUN steps: what package installs add to a layer, one estimator per package manager, summed over the RUN's
// commands (./read.ts reads them from the step's text):
// - apt-get install / update (Debian family): ./apt.ts, from Debian's index for the base's suite.
// - apk add (Alpine): ./apk.ts, from a fallback table of installed sizes.
// - npm ci / npm install / yarn / pnpm: ./npm.ts, from the lockfile the stage copied in or the context's
//   node_modules.
// - pip install: ./pip.ts, from the requirements the stage copied in.
// A few commands are known to write next to nothing; any other makes the estimate a lower bound, or no estimate
// when nothing else in the RUN is sized. An apt-get or apk install that cannot be sized (unknown base, wrong
// family) leaves the whole step without a size.

import type { AnalysisFacts, Step } from '../../model';
import { joinDir, type StageState } from '../stage';
import { apkEstimate } from './apk';
import { aptEstimateOf } from './apt';
import { nodeEstimate } from './npm';
import { pipEstimate } from './pip';
import { readRun } from './read';

export interface RunEstimate {
  size: number | null;
  basis: string;
  note: string;
}

/** The parts of a RUN's estimate so far. */
interface Sum {
  bytes: number;
  parts: string[];
  /** Installs and programs whose writes are not sized. */
  unknown: string[];
  estimated: boolean;
}

export function estimateRun(step: Step, state: StageState, facts: AnalysisFacts): RunEstimate {
  const run = readRun(step);
  const sum: Sum = { bytes: 0, parts: [], unknown: [], estimated: false };
  if (run.aptInstalls.length || run.aptUpdate) {
    const r = aptEstimateOf(step, state, run);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    add(sum, r.bytes, r.text);
  }
  if (run.apkAdds.length) {
    const r = apkEstimate(state, run.apkAdds, run.apkDels, run.apkCacheRemoved);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    add(sum, r.bytes, r.text);
  }
  for (const n of run.nodeInstalls) {
    const r = nodeEstimate(step, state, facts, n, run);
    if (r.bytes === null) sum.unknown.push(`${n.tool} install (${r.text})`);
    else {
      add(sum, r.bytes, r.text);
      keepTree(state, step, joinDir(step.workdir, 'node_modules'), r.bytes);
    }
  }
  for (const p of run.pipInstalls) {
    const r = pipEstimate(step, state, facts, p, run);
    if (r.bytes === null) sum.unknown.push(`pip install (${r.text})`);
    else {
      add(sum, r.bytes, r.text);
      keepTree(state, step, `/pip-installed-line-${step.line}`, r.bytes);
    }
  }
  for (const w of run.writers) sum.unknown.push(w);
  if (sum.unknown.length) state.unknownWriters.push({ line: step.line, workdir: step.workdir });
  return total(sum);
}

function add(sum: Sum, bytes: number, text: string): void {
  sum.bytes += bytes;
  sum.parts.push(text);
  sum.estimated = true;
}

/** An installed tree (node_modules, site-packages) in the stage's files, sized as one number. */
function keepTree(state: StageState, step: Step, path: string, bytes: number): void {
  state.files.set(path, { bytes, from: `RUN line ${step.line}`, aggregate: true });
}

/** The RUN's size and basis: what was sized, and what was not (a lower bound), or why there is no size. */
function total(sum: Sum): RunEstimate {
  const uniq = [...new Set(sum.unknown)];
  if (!sum.estimated) {
    if (uniq.length === 0) return { size: 0, basis: 'commands that write next to nothing (~0 B)', note: '' };
    return {
      size: null,
      basis: '',
      note: `no static estimate for what ${uniq.slice(0, 4).join(', ')}${uniq.length > 4 ? ', ...' : ''} write${uniq.length === 1 ? 's' : ''}`,
    };
  }
  const rest = uniq.length
    ? `; plus whatever ${uniq.slice(0, 4).join(', ')} write${uniq.length === 1 ? 's' : ''} (not estimated, so this is a lower bound)`
    : '';
  return { size: sum.bytes, basis: sum.parts.join('; ') + rest, note: '' };
}
