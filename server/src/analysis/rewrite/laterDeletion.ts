// The fixes of removed-in-later-layer: files an earlier layer wrote and a later RUN deletes.
// - Made by a RUN: move the deletion into that RUN (`... && rm -f <path>`) and drop the RUN that only deleted.
// - Brought by a COPY (from the context, or --from a stage or image) and used and deleted by one later RUN: bind-mount
//   the file into that RUN instead of copying it (`RUN --mount=type=bind,...`), which never puts it in a layer.
//   BuildKit only (the legacy builder has no --mount): the title says so.
// Each planner gives the reason when the fix cannot be made safe; the finding shows it.

import * as posix from 'node:path/posix';
import type { DockerfileModel, Fix, Stage, Step } from '../model';
import { commandsOf, programOf, type ShellCommand } from '../shell';
import { hasGlob, isRemote } from '../sources';
import { withoutTrailing } from '../text';
import { readsAptIndex, updateBefore } from './packageIndex';
import { deleteStep, replaceStep, stepText } from './edits';
import { appendToRun } from './runEdits';
import { stepsBefore } from '../steps';

/** One deleted path and the earlier step that wrote it. */
export interface DeletedPath {
  /** Absolute path deleted (a glob cut off at its folder). */
  path: string;
  /** As written in the rm. */
  raw: string;
  /** The last segment's glob, or null. */
  glob: string | null;
  command: ShellCommand;
  creator: Step;
}

export type Planned = { fixes: Fix[]; why: null } | { fixes: []; why: string };

const overlaps = (a: string, b: string) => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');

/** The fixes for one deleting RUN, or why there is none. */
export function laterDeletionFixes(model: DockerfileModel, step: Step, found: readonly DeletedPath[]): Planned {
  if (step.execForm) return { fixes: [], why: 'the deleting RUN is in exec form' };
  const fix = found.every((f) => f.creator.keyword === 'RUN')
    ? moveDeletion(model, step, found)
    : found.every((f) => f.creator.keyword === 'COPY')
      ? bindMount(model, step, found)
      : 'the files come from different kinds of steps';
  return typeof fix === 'string' ? { fixes: [], why: fix } : { fixes: [fix], why: null };
}

/** The steps after `creator` and before `step` (in its stage and the stages between), nearest first. */
function between(model: DockerfileModel, step: Step, creator: Step): Step[] {
  const out: Step[] = [];
  for (const s of stepsBefore(model, step)) {
    if (s === creator) break;
    out.push(s);
  }
  return out;
}

/** Whether a step reads or writes a deleted path: a RUN naming it, a COPY into it. */
function touches(s: Step, f: DeletedPath): boolean {
  if (s.keyword === 'RUN') return s.command.includes(f.path) || s.command.includes(f.raw);
  return (s.keyword === 'COPY' || s.keyword === 'ADD') && overlaps(withoutTrailing(s.destination ?? '', '/'), f.path);
}

/**
 * When the creator is in a stage the deleting RUN builds on (FROM), every other stage built on that chain (FROM it,
 * COPY --from it, RUN --mount from it) would lose the file too: the reason, or null.
 */
function otherStagesSee(model: DockerfileModel, step: Step, creator: Step): string | null {
  const chain = new Set<number>();
  let stage: Stage | undefined = model.stages[step.stage];
  for (let hops = 0; stage && stage.index !== creator.stage && hops < model.stages.length; hops++) {
    stage = stage.baseStage === null ? undefined : model.stages[stage.baseStage];
    if (stage) chain.add(stage.index);
  }
  for (const s of model.stages) {
    if (s.index === step.stage || chain.has(s.index)) continue;
    if (s.dependsOn.some((d) => chain.has(d)))
      return `stage ${s.name ?? s.index} (line ${s.line}) also uses the stage of line ${creator.line} and would lose the file`;
  }
  return null;
}

/** Move the deletion into the creating RUN, drop the RUN that only deleted. */
function moveDeletion(model: DockerfileModel, step: Step, found: readonly DeletedPath[]): Fix | string {
  const creator = found[0].creator;
  if (!found.every((f) => f.creator === creator)) return 'the files come from different RUNs';
  const deleting = new Set(found.map((f) => f.command));
  if (!commandsOf(step).every((c) => deleting.has(c) || ['set', 'true', ':'].includes(programOf(c))))
    return 'the deleting RUN does more than delete these files';
  const relative = found.some((f) => !f.raw.startsWith('/') && !f.raw.startsWith('~'));
  if (relative && (creator.workdir !== step.workdir || commandsOf(creator).some((c) => programOf(c) === 'cd')))
    return 'the deletion names a relative path and the creating RUN runs in another folder';
  const mid = between(model, step, creator);
  const user = mid.find((s) => found.some((f) => touches(s, f)));
  if (user) return `line ${user.line} uses the files between`;
  const crossStage = creator.stage === step.stage ? null : otherStagesSee(model, step, creator);
  if (crossStage) return crossStage;
  // apt's index deleted earlier: the installs in between need an update of their own
  const lists = found.some((f) => overlaps(f.path, '/var/lib/apt/lists'));
  const readers = lists ? mid.filter(readsAptIndex).reverse() : [];
  const updates = updateBefore(model, readers);
  if ('why' in updates) return updates.why;
  const append = appendToRun(model, creator, [...deleting].map((c) => c.text).join(' && '));
  if (!append) return 'the creating RUN cannot be appended to';
  const also = readers.length ? ' (and apt-get update where a RUN between installs)' : '';
  return {
    title: `Delete in the RUN at line ${creator.line} instead${also}`,
    preferred: true,
    edits: [append, ...updates.edits, deleteStep(model, step)],
  };
}

/** Where a single-source COPY puts its source, when that is sure: the destination, or inside it. */
function copiedTo(copy: Step): string | null {
  const src = copy.sources?.[0] ?? '';
  const rawDest = copy.words[copy.words.length - 1] ?? '';
  const dest = withoutTrailing(copy.destination ?? '', '/');
  if (dest === '') return null;
  // into a folder: the source's name inside it (a folder source would spill its contents there: not known here)
  if (rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.')) return null;
  return src === '' ? null : dest;
}

/** The mount option for a COPY's source: from the context, or from the stage or image of --from. */
function mountFor(copy: Step, target: string): string {
  const src = copy.sources?.[0] ?? '';
  const from = copy.copyFrom ? `,from=${copy.copyFrom.raw}` : '';
  return `--mount=type=bind${from},source=${src},target=${target},rw`;
}

/** Bind-mount COPY'd files into the RUN that uses and deletes them. */
function bindMount(model: DockerfileModel, step: Step, found: readonly DeletedPath[]): Fix | string {
  if (step.heredocs.length) return 'the deleting RUN is a heredoc';
  const copies = [...new Set(found.map((f) => f.creator))];
  const targets = new Map<Step, string>();
  for (const copy of copies) {
    const why = unmountable(copy, step);
    if (why) return why;
    const target = copiedTo(copy);
    const mine = found.filter((f) => f.creator === copy);
    if (!target || mine.some((f) => f.path !== target || f.glob !== null))
      return `the deletion does not name exactly what line ${copy.line} copies`;
    targets.set(copy, target);
    const user = between(model, step, copy).find((s) => mine.some((f) => touches(s, f) || mentionsName(s, target)));
    if (user) return `line ${user.line} uses ${target} before the deleting RUN`;
  }
  const mounted = new Set(targets.values());
  const rms = [...new Set(found.map((f) => f.command))];
  const cmds = commandsOf(step);
  if (rms.length === cmds.length) return 'the deleting RUN only deletes: nothing in it reads the files';
  if (rms.includes(cmds[0])) return 'the deleting RUN deletes the files before anything reads them';
  for (const rm of rms) {
    const paths = rm.words.slice(1).filter((w) => !w.startsWith('-'));
    if (!paths.every((p) => mounted.has(posix.resolve(step.workdir, p))))
      return `\`${rm.text}\` also deletes other paths`;
  }
  const text = withoutCommands(model, step, rms);
  if (text === null) return 'the rm cannot be cut out of the RUN text';
  const mounts = copies.map((c) => mountFor(c, targets.get(c) as string)).join(' ');
  const withMounts = withMountFlags(step, text, mounts);
  if (withMounts === null) return 'the mount cannot be written into the RUN';
  const names = copies.map((c) => (targets.get(c) as string).split('/').pop()).join(', ');
  return {
    title: `Bind-mount ${names} into this RUN instead of copying it (BuildKit only)`,
    preferred: usesBuildKit(model),
    edits: [replaceStep(model, step, withMounts), ...copies.map((c) => deleteStep(model, c))],
  };
}

/** Why a COPY cannot become a bind mount of the RUN, or null. */
function unmountable(copy: Step, step: Step): string | null {
  if (copy.stage !== step.stage) return `the COPY at line ${copy.line} is in another stage`;
  if (copy.flags.some((f) => f.name !== 'from'))
    return `the COPY at line ${copy.line} sets ${copy.flags.map((f) => `--${f.name}`).join(' ')}, which a mount cannot`;
  const src = copy.sources ?? [];
  if (src.length !== 1 || hasGlob(src[0]) || src[0].startsWith('<<') || isRemote(src[0]) || src[0].includes('$'))
    return `the COPY at line ${copy.line} has more than one plain source`;
  return null;
}

/** A RUN that names the file (`tar xf app.tar` in its folder). */
function mentionsName(s: Step, target: string): boolean {
  return s.keyword === 'RUN' && s.command.includes(target.slice(target.lastIndexOf('/') + 1));
}

/** The file already needs BuildKit: a syntax directive, a RUN --mount, a heredoc. */
function usesBuildKit(model: DockerfileModel): boolean {
  return (
    model.directives.syntax !== null ||
    model.steps.some((s) => s.heredocs.length > 0 || s.flags.some((f) => f.name === 'mount'))
  );
}

/** The RUN's lines with the mount flags first after the keyword; null when the keyword is not followed by a blank. */
function withMountFlags(step: Step, lines: string[], mounts: string): string[] | null {
  const first = lines[0];
  const at = step.column - 1 + step.keyword.length;
  if (first[at] !== ' ' && first[at] !== '\t') return null;
  return [first.slice(0, at + 1) + mounts + ' ' + first.slice(at + 1), ...lines.slice(1)];
}

/**
 * The RUN's lines without these commands: each cut with the `&&` or `;` after it (up to the next command), or, for the
 * last command, with the one before it. Null when a command is not found exactly once or is joined by `||` or `|`.
 */
function withoutCommands(model: DockerfileModel, step: Step, cmds: readonly ShellCommand[]): string[] | null {
  let text = stepText(model, step).join('\n');
  const esc = model.directives.escape;
  for (const c of cmds) {
    const at = text.indexOf(c.text);
    if (at < 0 || text.indexOf(c.text, at + 1) >= 0) return null;
    const end = at + c.text.length;
    const after = /^[ \t]*(&&|;)/.exec(text.slice(end));
    if (after) {
      text = text.slice(0, at) + text.slice(nextCommand(text, end + after[0].length, esc));
      continue;
    }
    if (text.slice(end).trim() !== '') return null;
    const before = /(&&|;)[ \t]*$/.exec(joinedBefore(text.slice(0, at), esc));
    if (!before) return null;
    const cut = text.slice(0, at).lastIndexOf(before[1]);
    text = joinedBefore(text.slice(0, cut), esc) + text.slice(end);
  }
  return text.split('\n');
}

/** Offset of the next command after `from`: past blanks, line continuations and comment lines. */
function nextCommand(text: string, from: number, esc: string): number {
  let i = from;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === esc && text[i + 1] === '\n') {
      i += 2;
    } else if (text[i] === '#' && text.slice(text.lastIndexOf('\n', i) + 1, i).trim() === '') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
    } else {
      return i;
    }
  }
}

/** The text before a command with its trailing continuations and blanks removed (to find the operator before it). */
function joinedBefore(text: string, esc: string): string {
  let t = text;
  for (;;) {
    const trimmed = t.replace(/[ \t\n]+$/, '');
    const next = trimmed.endsWith(esc) ? trimmed.slice(0, -1) : trimmed;
    if (next === t) return t;
    t = next;
  }
}
