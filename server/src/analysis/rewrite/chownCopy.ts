// The fix of chown-after-copy: `RUN chown -R OWNER DIR` after COPY steps into DIR becomes `--chown=OWNER` on those
// COPY steps and `RUN chown OWNER DIR` (the folder itself: WORKDIR or an earlier step may have made it root's, and
// the recursive chown changed it too). The result is the same owner on every file and folder the chown changed,
// with each copied byte stored once. Offered only where that holds as far as the file shows; otherwise `why` says
// what stops it (a clause, as the finding writes "No quick fix: <why>.").
// Known limit: files the base image itself has under DIR are not visible here; the fix leaves them as they were.

import { createdAccount } from '../runWrites/files';
import { runWrites } from '../runWrites';
import { commandsOf, type ShellCommand } from '../shell';
import { isUnder, normalizeAbs } from '../paths';
import { parseImageRef } from '../imageRef';
import { lookupBaseImage } from '../estimate/baseImages';
import type { DockerfileModel, Fix, Step } from '../model';
import type { RuleContext } from '../rules/rule';
import { indentOf, insertAt, keywordCase, lineText, replaceStep } from './edits';

export interface ChownCopyPlan {
  fixes: Fix[];
  why?: string;
}

/** Users every common base has (Debian, Ubuntu, Alpine, BusyBox). */
const EVERYWHERE = new Set(['root', 'nobody']);

export function planChownCopy(
  ctx: RuleContext,
  run: Step,
  cmd: ShellCommand,
  dir: string,
  copies: readonly Step[],
): ChownCopyPlan {
  const { model } = ctx;
  const cmds = commandsOf(run);
  if (run.flags.length > 0)
    return {
      fixes: [],
      why: `the RUN has ${run.flags.map((f) => `--${f.name}`).join(' ')}, which the rewrite would drop`,
    };
  if (cmds.length !== 1 || run.execForm || run.heredocs.length > 0)
    return { fixes: [], why: 'the RUN does more than this chown; split it off first' };
  // words are expanded: a `${UID}` owner must stay a variable, which the rewrite would not keep
  if (/[$`]/.test(cmd.text)) return { fixes: [], why: 'the owner or the folder is written with a variable' };
  const w = cmd.words;
  if (w.length !== 4 || (w[1] !== '-R' && w[1] !== '--recursive'))
    return { fixes: [], why: 'only a plain `chown -R OWNER FOLDER` is rewritten' };
  const owner = w[2];
  const add = copies.find((c) => c.keyword === 'ADD');
  if (add) return { fixes: [], why: `line ${add.line} is an ADD, whose archives and URLs --chown treats differently` };
  const other = otherWriter(model, run, dir, copies);
  if (other) return { fixes: [], why: other };
  const missing = ownerMissing(model, run, owner, copies[0]);
  if (missing) return { fixes: [], why: missing };
  const edits = copies.map((c) => insertAt(c.line, c.column + keywordLength(model, c), ` --chown=${owner}`));
  const runText = `${indentOf(model, run)}${keywordCase(model, run, 'RUN')} chown ${owner} ${w[3]}`;
  edits.push(replaceStep(model, run, [runText]));
  return {
    fixes: [
      {
        title: `Copy with --chown=${owner} (line${copies.length === 1 ? '' : 's'} ${copies.map((c) => c.line).join(', ')}) and chown only ${dir} itself`,
        preferred: true,
        edits,
      },
    ],
  };
}

/** The keyword as written at the step's start (COPY is 4 characters in any case). */
function keywordLength(model: DockerfileModel, step: Step): number {
  return (
    lineText(model, step.line)
      .slice(step.column - 1)
      .match(/^[A-Za-z]+/)?.[0].length ?? 4
  );
}

/**
 * Why another step's files under `dir` would lose the chown: a RUN before `run` in its stage that writes there (or
 * may write anywhere), or a WORKDIR inside it (a folder the COPY does not make). Null when none.
 */
function otherWriter(model: DockerfileModel, run: Step, dir: string, copies: readonly Step[]): string | null {
  const under = (p: string) => isUnder(normalizeAbs(p), dir);
  for (const i of model.stages[run.stage].steps) {
    if (i >= run.index) break;
    const s = model.steps[i];
    if (copies.includes(s)) continue;
    if (s.keyword === 'WORKDIR' && normalizeAbs(s.workdir) !== dir && under(s.workdir))
      return `line ${s.line} makes ${normalizeAbs(s.workdir)}, which the recursive chown also changes`;
    if (s.keyword === 'COPY' || s.keyword === 'ADD') {
      // a copy the rule left out sets its own --chown/--chmod: the recursive chown changed those files too
      if (s.destination && under(s.destination))
        return `line ${s.line} copies into ${dir} with its own --chown or --chmod, which the recursive chown overrode`;
      continue;
    }
    if (s.keyword !== 'RUN') continue;
    const w = runWrites(s, () => undefined);
    if (w.entries === null && under(s.workdir))
      return `line ${s.line} runs \`${w.unknown}\` in ${normalizeAbs(s.workdir)}, and its files need the chown too`;
    const hit = w.entries?.find((e) => under(e.path) && !(e.basis === 'command' && e.path === dir));
    if (hit) return `line ${s.line} writes ${normalizeAbs(hit.path)}, which needs the chown too`;
  }
  return null;
}

/**
 * Why `owner` (user[:group], names or numbers) may not exist where the first COPY runs: `COPY --chown` looks the
 * names up in the image's /etc/passwd and /etc/group at that step. Null when it does: numbers, root/nobody, a user
 * made by a RUN before the COPY in this stage, `node` on the node images, `www-data` on Debian and Ubuntu bases.
 */
function ownerMissing(model: DockerfileModel, run: Step, owner: string, first: Step): string | null {
  const [user, group] = owner.split(':');
  const made = { users: new Set<string>(), groups: new Set<string>() };
  let madeLater: number | null = null;
  for (const i of model.stages[run.stage].steps) {
    if (i >= run.index) break;
    for (const c of commandsOf(model.steps[i])) {
      const a = createdAccount(c);
      if (!a) continue;
      if (i > first.index) {
        if (a.user === user || a.group === group) madeLater ??= model.steps[i].line;
        continue;
      }
      if (a.user) made.users.add(a.user);
      if (a.group) made.groups.add(a.group);
    }
  }
  const base = baseUsers(model, run.stage);
  const ok = (name: string | undefined, set: Set<string>) =>
    name === undefined || name === '' || /^\d+$/.test(name) || EVERYWHERE.has(name) || set.has(name) || base.has(name);
  if (ok(user, made.users) && ok(group, made.groups)) return null;
  if (madeLater !== null)
    return `${owner} is created at line ${madeLater}, after the COPY at line ${first.line}, and --chown needs it to exist there: move that line above it`;
  return `${owner} is not created in this stage before line ${first.line} (if the base image has it, add --chown=${owner} to the COPY yourself)`;
}

/** Accounts the stage's base image is known to have, beyond root and nobody. */
function baseUsers(model: DockerfileModel, stage: number): Set<string> {
  const s = model.stages[stage];
  if (s.baseStage !== null) return new Set();
  const out = new Set<string>();
  const ref = parseImageRef(s.from);
  if (ref.registry === null && ref.repository === 'node') out.add('node');
  const family = lookupBaseImage(s.from)?.family;
  if (family === 'debian' || family === 'ubuntu') out.add('www-data');
  return out;
}
