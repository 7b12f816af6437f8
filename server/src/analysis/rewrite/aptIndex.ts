// Fixes that delete apt's package index (/var/lib/apt/lists) earlier than the file did: the installs after it that
// used that index, in the same stage or in a stage built FROM it, fail without it ("Unable to locate package"). This
// finds them and writes `apt-get update && ` before each, so the edited file still builds; or says why it cannot.

import type { DockerfileModel, Fix, Stage, Step, TextEdit } from '../model';
import { aptSubcommand, isAptUpdate, removesAptLists } from '../packageCommands';
import { commandsOf } from '../shell';
import { mountCovers } from '../sources';
import { insertAt } from './edits';
import { appendToRun, commandStart } from './runEdits';

/** apt subcommands that read the package index (and fail without it when they name a package). */
const READS_INDEX = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'reinstall']);

/**
 * What a step does with the index: reads it (an install before any update in it), and whether it leaves a new one or
 * none (an update or an rm of the lists anywhere in it: later steps no longer see the one before).
 */
function indexUse(step: Step): { reads: boolean; renews: boolean } {
  // a RUN with a cache mount over the lists reads the mount's, not the layers'
  if (mountCovers(step, '/var/lib/apt/lists')) return { reads: false, renews: false };
  let reads = false;
  let renews = false;
  for (const c of commandsOf(step)) {
    if (isAptUpdate(c) || removesAptLists(c)) renews = true;
    else if (!renews && READS_INDEX.has(aptSubcommand(c) ?? '')) reads = true;
  }
  return { reads, renews };
}

/** A RUN whose first use of apt's index reads it (an install before any update). */
export function readsAptIndex(step: Step): boolean {
  return indexUse(step).reads;
}

/**
 * The RUNs after `step` that read the index it leaves, before anything updates or removes it: in its stage (up to
 * `until`, exclusive, when given) and, when the stage ends with that index, in every stage built FROM it (FROM
 * <stage>), transitively. Each stage is walked at most once, and only as far as the first update.
 */
export function installsUsingIndex(model: DockerfileModel, step: Step, until?: Step): Step[] {
  const out: Step[] = [];
  const stage = model.stages[step.stage];
  if (!stage) return out;
  const start = stage.steps.indexOf(step.index) + 1;
  const reachesEnd = walk(model, stage, start, until, out);
  if (!reachesEnd || until) return out;
  const todo: Stage[] = childrenOf(model, stage);
  const seen = new Set<number>([stage.index]);
  while (todo.length) {
    const s = todo.shift() as Stage;
    if (seen.has(s.index)) continue;
    seen.add(s.index);
    if (walk(model, s, 1, undefined, out)) todo.push(...childrenOf(model, s));
  }
  return out;
}

/** Collects the readers of the index from position `from` of a stage; true when the index lasts to its end. */
function walk(model: DockerfileModel, stage: Stage, from: number, until: Step | undefined, out: Step[]): boolean {
  for (let k = from; k < stage.steps.length; k++) {
    const s = model.steps[stage.steps[k]];
    if (until && s.index >= until.index) return false;
    const use = indexUse(s);
    if (use.reads) out.push(s);
    if (use.renews) return false;
  }
  return true;
}

function childrenOf(model: DockerfileModel, stage: Stage): Stage[] {
  return model.stages.filter((s) => s.baseStage === stage.index);
}

/**
 * `apt-get update && ` at the start of each of these RUNs, or why it cannot be written (a RUN in exec form or a
 * heredoc, whose text we do not rewrite).
 */
export function updateBefore(model: DockerfileModel, steps: readonly Step[]): { edits: TextEdit[] } | { why: string } {
  const edits: TextEdit[] = [];
  for (const s of steps) {
    const start = s.execForm || s.heredocs.length ? null : commandStart(model, s);
    if (!start)
      return { why: `the install at line ${s.line} uses this index and its RUN cannot be given an apt-get update` };
    edits.push(insertAt(start.line, start.column, 'apt-get update && '));
  }
  return { edits };
}

/** "line 12", "lines 12 and 30": where the update goes, for a fix's title. */
export function linesText(steps: readonly Step[]): string {
  const lines = steps.map((s) => s.line);
  if (lines.length === 1) return `line ${lines[0]}`;
  return `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
}

/**
 * The apt-lists-not-removed fix: `&& rm -rf /var/lib/apt/lists/*` at the end of the RUN, and `apt-get update && `
 * before every later install that used its index. `readers` are installsUsingIndex(model, step). The reason
 * instead when it cannot be made safe.
 */
export function removeListsFix(model: DockerfileModel, step: Step, readers: readonly Step[]): Fix | { why: string } {
  const append = appendToRun(model, step, 'rm -rf /var/lib/apt/lists/*');
  if (!append) return { why: 'the end of this RUN cannot be appended to' };
  const updates = updateBefore(model, readers);
  if ('why' in updates) return updates;
  const also = readers.length ? ` (and apt-get update at ${linesText(readers)}, which used this index)` : '';
  return {
    title: `Remove /var/lib/apt/lists/* in this RUN${also}`,
    preferred: true,
    edits: [append, ...updates.edits],
  };
}
