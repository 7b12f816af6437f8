// Fixes that take away a package index a later install used: apt's (/var/lib/apt/lists, removed by the
// apt-lists-not-removed and removed-in-later-layer fixes) and apk's (/var/cache/apk, no longer kept once apk-no-cache
// adds --no-cache to an `apk add -U`). The installs after the edited RUN that read that index without fetching their
// own, in the same stage or in a stage built FROM it, would fail ("Unable to locate package", "unable to select
// packages"). This finds them and gives them their own index (`apt-get update && `, apk's `--no-cache`), so the edited
// file still builds; or says why it cannot.

import type { DockerfileModel, Fix, Stage, Step, TextEdit } from '../model';
import {
  aptSubcommand,
  hasPackageOption,
  isAptUpdate,
  packageCommand,
  PROGRAM_PATTERN,
  readApkAdd,
  removesApkCache,
  removesAptLists,
} from '../packageCommands';
import { commandsOf, type ShellCommand } from '../shell';
import { mountCovers } from '../sources';
import { positionIn } from '../steps';
import { insertAt } from './edits';
import { addOptionFix, appendToRun, commandStart, deleteInStep, subcommandPattern } from './runEdits';

/** apt subcommands that read the package index (and fail without it when they name a package). */
const READS_INDEX = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'reinstall']);

/**
 * What a step does with the index: reads it (an install before any update in it), and whether it leaves a new one or
 * none (an update or an rm of the lists anywhere in it: later steps no longer see the one before).
 */
function indexUse(step: Step, tool: IndexTool): { reads: boolean; renews: boolean } {
  // a RUN with a cache mount over the index reads the mount's, not the layers'
  if (mountCovers(step, tool === 'apt' ? '/var/lib/apt/lists' : '/var/cache/apk'))
    return { reads: false, renews: false };
  let reads = false;
  let renews = false;
  for (const c of commandsOf(step)) {
    const use = tool === 'apt' ? aptUse(c) : apkUse(c);
    if (use === 'renews') renews = true;
    else if (use === 'reads' && !renews) reads = true;
  }
  return { reads, renews };
}

export type IndexTool = 'apt' | 'apk';

function aptUse(c: ShellCommand): 'reads' | 'renews' | null {
  if (isAptUpdate(c) || removesAptLists(c)) return 'renews';
  return READS_INDEX.has(aptSubcommand(c) ?? '') ? 'reads' : null;
}

/** `apk update`, `apk add -U` and an rm of /var/cache/apk renew (or remove) the index; `apk add` reads it. */
function apkUse(c: ShellCommand): 'reads' | 'renews' | null {
  if (removesApkCache(c)) return 'renews';
  const pc = packageCommand(c);
  if (pc?.tool !== 'apk') return null;
  if (pc.sub === 'update') return 'renews';
  if (pc.sub !== 'add' && pc.sub !== 'upgrade') return null;
  if (hasPackageOption(pc, '--no-cache')) return null;
  return hasPackageOption(pc, '--update-cache') ? 'renews' : 'reads';
}

/** A RUN whose first use of apt's index reads it (an install before any update). */
export function readsAptIndex(step: Step): boolean {
  return indexUse(step, 'apt').reads;
}

/**
 * The RUNs after `step` that read the index it leaves, before anything updates or removes it: in its stage (up to
 * `until`, exclusive, when given) and, when the stage ends with that index, in every stage built FROM it (FROM
 * <stage>), transitively. Each stage is walked at most once, and only as far as the first update.
 */
export function installsUsingIndex(model: DockerfileModel, step: Step, tool: IndexTool, until?: Step): Step[] {
  const out: Step[] = [];
  const stage = model.stages[step.stage];
  if (!stage) return out;
  const start = positionIn(stage.steps, step.index) + 1;
  const reachesEnd = walk(model, stage, start, { tool, until }, out);
  if (!reachesEnd || until) return out;
  const children = childrenByStage(model);
  const todo: Stage[] = children.get(stage.index) ?? [];
  const seen = new Set<number>([stage.index]);
  for (let t = 0; t < todo.length; t++) {
    const s = todo[t];
    if (seen.has(s.index)) continue;
    seen.add(s.index);
    if (walk(model, s, 1, { tool }, out)) todo.push(...(children.get(s.index) ?? []));
  }
  return out;
}

/** Collects the readers of the index from position `from` of a stage; true when the index lasts to its end. */
function walk(
  model: DockerfileModel,
  stage: Stage,
  from: number,
  { tool, until }: { tool: IndexTool; until?: Step },
  out: Step[],
): boolean {
  for (let k = from; k < stage.steps.length; k++) {
    const s = model.steps[stage.steps[k]];
    if (until && s.index >= until.index) return false;
    const use = indexUse(s, tool);
    if (use.reads) out.push(s);
    if (use.renews) return false;
  }
  return true;
}

/** The stages built FROM each stage, once per model. */
function childrenByStage(model: DockerfileModel): Map<number, Stage[]> {
  let m = children.get(model);
  if (!m) {
    m = new Map();
    for (const s of model.stages) {
      if (s.baseStage === null) continue;
      const list = m.get(s.baseStage);
      if (list) list.push(s);
      else m.set(s.baseStage, [s]);
    }
    children.set(model, m);
  }
  return m;
}

const children = new WeakMap<DockerfileModel, Map<number, Stage[]>>();

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

/** An apk add that keeps the index in /var/cache/apk. */
const lacksNoCache = (c: ShellCommand): boolean => readApkAdd(c)?.noCache === false;

/** `--no-cache` after `add` in each apk add of the step that lacks it; [] when the text does not line up. */
function noCacheEdits(model: DockerfileModel, step: Step): TextEdit[] {
  const adds = commandsOf(step).filter((c) => readApkAdd(c) !== null);
  const fix = addOptionFix(
    model,
    step,
    adds,
    subcommandPattern(PROGRAM_PATTERN.apk, 'add'),
    '--no-cache',
    lacksNoCache,
  );
  return fix[0]?.edits ?? [];
}

/**
 * Whether adding --no-cache takes away the index this RUN left: it kept one through `apk add -U` and has no
 * `apk update` of its own (which still writes /var/cache/apk).
 */
function losesApkIndex(step: Step): boolean {
  const cmds = commandsOf(step);
  if (cmds.some(isApkUpdate)) return false;
  return cmds
    .map(packageCommand)
    .some((pc) => pc?.tool === 'apk' && pc.sub === 'add' && hasPackageOption(pc, '--update-cache'));
}

/** The later installs that would lose their index when this step's apk adds get --no-cache ([] when none do). */
export function apkReadersAfterFix(model: DockerfileModel, step: Step): Step[] {
  return losesApkIndex(step) ? installsUsingIndex(model, step, 'apk') : [];
}

/**
 * The apk-no-cache fix: `--no-cache` after `add` in this RUN, and in every later apk add that used the index this RUN
 * kept (`readers`, from apkReadersAfterFix): with --no-cache apk fetches the index itself. The reason instead when one
 * of them cannot be edited.
 */
export function apkNoCacheFix(model: DockerfileModel, step: Step, readers: readonly Step[]): Fix | { why: string } {
  const edits = noCacheEdits(model, step);
  if (edits.length === 0) return { why: 'the apk add of this RUN could not be found in its text' };
  for (const r of readers) {
    const more = r.execForm ? [] : noCacheEdits(model, r);
    if (more.length === 0)
      return { why: `the apk add at line ${r.line} uses the index this RUN keeps and cannot be given --no-cache` };
    edits.push(...more);
  }
  const also = readers.length ? ` (also at ${linesText(readers)}, which used the index this RUN kept)` : '';
  const drop = droppedUpdates(model, step);
  if (drop.length) return { title: 'Add --no-cache and drop apk update', preferred: true, edits: [...drop, ...edits] };
  return { title: `Add --no-cache${also}`, preferred: true, edits };
}

/** `apk update`: the index it writes to /var/cache/apk is what --no-cache keeps out. */
function isApkUpdate(c: ShellCommand): boolean {
  const pc = packageCommand(c);
  return pc?.tool === 'apk' && pc.sub === 'update';
}
/** `apk update && ` as written, with a continuation after it: the text the fix deletes. */
const APK_UPDATE_AND = /(?<![\w.-])apk[ \t]+update[ \t]*&&[ \t]*(?:\\\r?\n[ \t]*)?/g;

/**
 * The edits that delete this RUN's `apk update && `: with --no-cache the adds fetch their own index, and the update
 * would leave one in the layer. None when another apk command of the RUN (an upgrade) or a later install reads it.
 */
function droppedUpdates(model: DockerfileModel, step: Step): TextEdit[] {
  const apk = commandsOf(step).filter((c) => packageCommand(c)?.tool === 'apk');
  const updates = apk.filter(isApkUpdate).length;
  if (updates === 0 || !apk.every((c) => isApkUpdate(c) || readApkAdd(c) !== null)) return [];
  if (installsUsingIndex(model, step, 'apk').length > 0) return [];
  return deleteInStep(model, step, APK_UPDATE_AND, updates);
}
