// RUN steps: what pip install adds to a layer: the requirements files the stage copied in and the packages named on
// the command line, sized from a table measured on real installs (../data/ecosystem-sizes.json), else a
// per-package heuristic; pip's wheel cache stays unless --no-cache-dir, PIP_NO_CACHE_DIR or a cache mount.

import { lookup } from '../../lookup';
import type { AnalysisFacts, Step } from '../../model';
import ecosystem from '../data/ecosystem-sizes.json';
import { normalizePyName, requirementNames, type PipInstall } from '../../packageCommands';
import { joinDir, type StageState } from '../stage';
import { normalizeAbs } from '../../paths';
import type { Estimate, RunCommands } from './read';

type PipSizes = {
  medianBytes: number;
  meanBytes: number;
  packages: number;
  sizes: Record<string, number>;
  measuredOn: string;
};

/**
 * pip's wheel cache (~/.cache/pip) without --no-cache-dir: ~30 % of the installed size (heuristic, wheel zip ratio).
 */
export const PIP_CACHE_RATIO = 0.3;

/** A requirement not in the measured table (heuristic). */
const FALLBACK_BYTES = 2_000_000;

/** One pip install of a RUN (whose environment may set PIP_NO_CACHE_DIR, or mount a cache). */
export function pipEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  install: PipInstall,
  run: RunCommands,
): Estimate {
  const pip = (ecosystem as { pip: PipSizes }).pip;
  const req = requirements(step, state, facts, install);
  if ('bytes' in req) return req;
  const { names, read } = req;
  if (!names.length) return { bytes: 0, text: 'pip install with nothing to install' };
  let b = 0;
  let measured = 0;
  for (const n of names) {
    const s = lookup(pip.sizes, n);
    if (s !== undefined) {
      b += s;
      measured++;
    } else b += FALLBACK_BYTES;
  }
  let text =
    `pip: ${names.length} requirement${names.length === 1 ? '' : 's'}${read.length ? ` from ${read.join(', ')}` : ''}: ${measured} at installed sizes measured on ` +
    `${pip.measuredOn}, ${names.length - measured} at 2 MB each (heuristic between the median ${(pip.medianBytes / 1e6).toFixed(1)} MB and mean ` +
    `${(pip.meanBytes / 1e6).toFixed(1)} MB of ${pip.packages} measured distributions; unlisted dependencies are not counted)`;
  if (!(install.noCacheDir || run.pipNoCache)) {
    b *= 1 + PIP_CACHE_RATIO;
    text += ` + ${Math.round(PIP_CACHE_RATIO * 100)} % for pip's wheel cache (no --no-cache-dir; heuristic)`;
  }
  return { bytes: b, text };
}

/**
 * The distribution names an install asks for: those of its requirements files (read from the context files the
 * stage copied to those paths), then those named; or why they cannot be known.
 */
function requirements(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  install: PipInstall,
): { names: string[]; read: string[] } | { bytes: null; text: string } {
  const names: string[] = [];
  const read: string[] = [];
  for (const rf of install.requirementFiles) {
    const imagePath = rf.startsWith('/') ? rf : joinDir(step.workdir, rf);
    const entry = state.files.get(normalizeAbs(imagePath));
    if (!entry?.contextPath)
      return { bytes: null, text: `${rf} was not copied from the build context before this step` };
    const text = facts.context?.contents?.[entry.contextPath] ?? null;
    if (text === null) return { bytes: null, text: `${entry.contextPath} was not read` };
    for (const n of requirementNames(text)) names.push(n);
    read.push(entry.contextPath);
  }
  for (const n of install.named) {
    if (n === '.' || n.startsWith('./') || n.startsWith('/'))
      return { bytes: null, text: `pip install of the local project ${n}` };
    names.push(normalizePyName(n.replace(/[=<>!~;@ ][^]*$/, '')));
  }
  return { names, read };
}
