// RUN steps: what package installs add to a layer, one estimator per package manager, over the commands the RUN
// runs (./read.ts reads them, ./flow.ts decides its `if` and `case` branches):
// - apt-get install / update (Debian family): ./apt.ts, from Debian's index for the base's suite, less what the
//   same RUN purges or autoremoves (./aptSequence.ts).
// - apk add (Alpine): ./apk.ts, from a fallback table of installed sizes, less what the same RUN deletes.
// - npm ci / npm install / yarn / pnpm: ./npm.ts, from the lockfile the stage copied in or the context's
//   node_modules.
// - pip install, uv sync, poetry install, pipenv install: ./pip.ts, from the requirements or lockfile the stage
//   copied in, sized from a table of PyPI distributions.
// - chown, chmod, touch, setcap on files earlier steps wrote: ./metadata.ts (the layer stores those files again).
// A few commands are known to write next to nothing; any other makes the estimate a lower bound, or no estimate
// when nothing else in the RUN is sized. An apt-get or apk install that cannot be sized (unknown base, wrong
// family) leaves the whole step without a size.
// A branch that cannot be decided before the build is counted at its largest: each undecided construct's
// alternatives are sized in turn (the others as chosen so far) and the largest is kept, and the basis says so.

import type { AnalysisFacts, Step } from '../../model';
import { charge } from '../budget';
import type { StageState } from '../stage';
import { joinDir } from '../../paths';
import { DEFAULT_PLATFORM } from './conditions';
import { apkEstimate } from './apk';
import { aptEstimateOf } from './apt';
import { flowOf, type Flow } from './flow';
import { metadataCopies } from './metadata';
import { nodeEstimate } from './npm';
import { pipEstimate, pyLockEstimate } from './pip';
import { affectsSize, readRun, type RunCommands } from './read';

export interface RunEstimate {
  size: number | null;
  basis: string;
  note: string;
  /** The size leaves out writes that are not sized (the basis names them): at least this much. */
  lowerBound?: boolean;
}

/** The parts of a RUN's estimate so far. */
interface Sum {
  bytes: number;
  parts: string[];
  /** Installs and programs whose writes are not sized. */
  unknown: string[];
  estimated: boolean;
  /** A sized part left something out (a package whose size or dependencies are not known). */
  lowerBound: boolean;
}

/**
 * Alternatives sized per RUN to find the largest branches, and commands read over those sizings (a long RUN gets
 * fewer); beyond, a choice takes its branch with the most commands.
 */
const MAX_TRIALS = 24;
const MAX_TRIAL_COMMANDS = 20_000;

/** `platform`: the stage's FROM --platform (null: the default, linux/amd64). */
export function estimateRun(step: Step, state: StageState, facts: AnalysisFacts, platform: string | null): RunEstimate {
  const flow = flowOf(step, platform);
  const notes: string[] = [];
  if (flow.decided.length) {
    const shown = flow.decided.slice(0, 3).join(', ') + (flow.decided.length > 3 ? ', ...' : '');
    notes.push(`branches decided for ${platform || DEFAULT_PLATFORM} and the build args' values: ${shown}`);
  }
  let selection: number[] | undefined;
  if (flow.choices.length) {
    // kept per Step while the image it runs on looks the same (as aptEstimateOf keeps its results)
    const key = `${platform}\u0000${state.baseRef}\u0000${state.aptInstalled?.size}\u0000${state.apkInstalled.size}\u0000${state.files.size}`;
    let picked = chosen.get(step);
    if (picked?.key !== key) chosen.set(step, (picked = { key, ...largest(step, state, facts, platform, flow) }));
    selection = picked.selection;
    notes.push(...picked.notes);
  }
  if (flow.unbounded)
    notes.push(
      `${flow.unbounded} more undecided condition${flow.unbounded === 1 ? '' : 's'}: every branch of theirs counted`,
    );
  const r = sizeRun(step, state, facts, readRun(step, platform, selection), true);
  if (r.size === null || notes.length === 0) return r;
  return { ...r, basis: `${r.basis}; ${notes.join('; ')}` };
}

const chosen = new WeakMap<Step, { key: string; selection: number[]; notes: string[] }>();

/**
 * Per undecided construct, its alternative whose RUN is largest (sized on a copy of the state); the basis names those
 * whose alternatives differ in size.
 */
function largest(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  platform: string | null,
  flow: Flow,
): { selection: number[]; notes: string[] } {
  // constructs not sized yet run their smallest alternative (by commands), so each is sized against what the earlier
  // ones chose, not against the others' branches
  const counts = commandCounts(flow);
  const selection = counts.map((k) => k.indexOf(Math.min(...k)));
  const differ: string[] = [];
  let unsized = 0;
  let trials = 0;
  flow.choices.forEach((choice, c) => {
    if (counts[c].every((k) => k === 0)) return;
    const n = choice.alts.length;
    if (trials + n > MAX_TRIALS || (trials + n) * flow.commands.length > MAX_TRIAL_COMMANDS) {
      selection[c] = counts[c].indexOf(Math.max(...counts[c]));
      unsized++;
      return;
    }
    const scores: number[] = [];
    for (let a = 0; a < n; a++) {
      selection[c] = a;
      const r = sizeRun(
        step,
        trialState(state, flow.commands.length),
        facts,
        readRun(step, platform, selection),
        false,
      );
      trials++;
      // an alternative with writes not sized counts a little more than an equal one without
      scores.push((r.size ?? 0) + (r.size === null || r.lowerBound ? 0.5 : 0));
    }
    const best = scores.indexOf(Math.max(...scores));
    selection[c] = best;
    if (scores[best] - Math.min(...scores) >= 1) differ.push(`\`${choice.what}\` (${choice.alts[best]})`);
  });
  const notes: string[] = [];
  if (differ.length)
    notes.push(
      `cannot be decided before the build, so the largest branch is counted: ${differ.slice(0, 3).join(', ')}${differ.length > 3 ? ` and ${differ.length - 3} more` : ''}`,
    );
  if (unsized)
    notes.push(
      `${unsized} more undecided branch${unsized === 1 ? '' : 'es'} past the sizing budget: each counted at its branch with the most commands`,
    );
  return { selection, notes };
}

/** Per choice, per alternative: how many of the commands it guards can change the size (./read.ts affectsSize). */
function commandCounts(flow: Flow): number[][] {
  const counts = flow.choices.map((ch) => new Array<number>(ch.alts.length).fill(0));
  flow.commands.forEach((cmd, i) => {
    const guards = flow.guards?.[i] ?? [];
    if (guards.length && affectsSize(cmd)) for (const g of guards) counts[g.choice][g.alt]++;
  });
  return counts;
}

/** The state as sizing one alternative sees it: its package sets take changes without changing the stage's. */
function trialState(s: StageState, commands: number): StageState {
  charge(1 + commands);
  return {
    ...s,
    aptInstalled: s.aptInstalled ? new LayeredSet(s.aptInstalled) : null,
    apkInstalled: new LayeredSet(s.apkInstalled),
    unknownWriters: [],
  };
}

/**
 * A set over `base` that keeps its own additions and removals (a trial's changes, without copying the image's
 * package list for every alternative sized). Membership and size only: trials do not iterate the sets.
 */
class LayeredSet extends Set<string> {
  private readonly gone = new Set<string>();

  constructor(private readonly base: ReadonlySet<string>) {
    super();
  }

  override has(n: string): boolean {
    return !this.gone.has(n) && (super.has(n) || this.base.has(n));
  }

  override add(n: string): this {
    this.gone.delete(n);
    if (!this.base.has(n)) super.add(n);
    return this;
  }

  override delete(n: string): boolean {
    if (!this.has(n)) return false;
    super.delete(n);
    if (this.base.has(n)) this.gone.add(n);
    return true;
  }

  override get size(): number {
    return this.base.size + super.size - this.gone.size;
  }
}

/** The RUN's estimate from its commands; `commit`: record what it leaves in the stage's state (files, writers). */
function sizeRun(step: Step, state: StageState, facts: AnalysisFacts, run: RunCommands, commit: boolean): RunEstimate {
  const sum: Sum = { bytes: 0, parts: [], unknown: [], estimated: false, lowerBound: false };
  // before this RUN's own installs enter the state: what it changes of its own new files is stored once
  const meta = metadataCopies(step, state, run.metadataCommands);
  if (meta?.text) add(sum, meta.bytes, meta.text, meta.lowerBound);
  for (const u of meta?.unsized ?? []) sum.unknown.push(u);
  // a removal alone (`apt-get purge x`) is sized where the image's packages are known; elsewhere it writes ~nothing
  const removes = state.debian !== null && run.aptOps.some((op) => op.kind === 'remove');
  if (run.aptInstalls.length || run.aptUpdate || removes) {
    const r = aptEstimateOf(step, state, run, commit);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    if (r.text || r.bytes) add(sum, r.bytes, r.text, r.lowerBound);
  }
  if (run.apkOps.some((op) => op.kind === 'add')) {
    const r = apkEstimate(state, run.apkOps, run.apkCacheRemoved);
    if (r.bytes === null) return { size: null, basis: '', note: r.text };
    add(sum, r.bytes, r.text, r.lowerBound);
  }
  for (const n of run.nodeInstalls) {
    const r = nodeEstimate(step, state, facts, n, run);
    if (r.bytes === null) sum.unknown.push(`${n.tool} install (${r.text})`);
    else {
      add(sum, r.bytes, r.text, r.lowerBound);
      if (commit) keepTree(state, step, joinDir(step.workdir, 'node_modules'), r.bytes, r.lowerBound);
    }
  }
  for (const p of run.pipInstalls) {
    const r = pipEstimate(step, state, facts, p, run);
    if (r.bytes === null) sum.unknown.push(`pip install (${r.text})`);
    else {
      add(sum, r.bytes, r.text, r.lowerBound);
      if (commit) keepTree(state, step, `/pip-installed-line-${step.line}`, r.bytes, r.lowerBound);
    }
  }
  for (const d of run.pyLockInstalls) {
    const r = pyLockEstimate(step, state, facts, d, run);
    if (r.bytes === null) sum.unknown.push(`${d.ecosystem} install (${r.text})`);
    else {
      add(sum, r.bytes, r.text);
      if (commit) keepTree(state, step, `/pip-installed-line-${step.line}`, r.bytes);
    }
  }
  for (const w of run.writers) sum.unknown.push(w);
  if (sum.unknown.length && commit) state.unknownWriters.push({ line: step.line, workdir: step.workdir });
  return total(sum);
}

function add(sum: Sum, bytes: number, text: string, lowerBound = false): void {
  sum.bytes += bytes;
  sum.parts.push(text);
  sum.estimated = true;
  sum.lowerBound ||= lowerBound;
}

/** An installed tree (node_modules, site-packages) in the stage's files, sized as one number. */
function keepTree(state: StageState, step: Step, path: string, bytes: number, lowerBound = false): void {
  state.files.set(path, {
    bytes,
    from: `RUN line ${step.line}`,
    aggregate: true,
    ...(lowerBound ? { lowerBound } : {}),
  });
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
  const lowerBound = sum.lowerBound || uniq.length > 0;
  return { size: sum.bytes, basis: sum.parts.join('; ') + rest, note: '', ...(lowerBound ? { lowerBound } : {}) };
}
