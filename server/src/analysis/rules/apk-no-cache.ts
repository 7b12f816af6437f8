// apk-no-cache (hadolint DL3019)
//
// What: `apk add` without `--no-cache`, in a stage that reaches the final image.
// Why: apk keeps the package index it downloaded in /var/cache/apk (about 2-3 MB for Alpine main+community)
// and that copy ships in the layer. `--no-cache` fetches the index to a temporary place and leaves nothing.
// Not a finding when a cache mount covers /var/cache/apk, or the same RUN deletes /var/cache/apk.
// Fix: add `--no-cache` after `add`. apk's options may stand before the applet (`apk --no-cache add`,
// `apk -U add`): ../packageCommands.ts reads them. An `apk update && ` before it in the same RUN is dropped too: it
// writes the very index --no-cache avoids (to /var/cache/apk), and apk add --no-cache fetches a fresh one itself.

import { commandsOf, type ShellCommand } from '../shell';
import { mountCovers } from '../sources';
import { PROGRAM_PATTERN, packageCommand, readApkAdd, removesApkCache } from '../packageCommands';
import { addOptionFix, deleteInStep, subcommandPattern } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

/** An apk add that keeps the index in /var/cache/apk. */
const lacksOption = (c: ShellCommand): boolean => readApkAdd(c)?.noCache === false;

/** `apk update` (alone: its index is what --no-cache leaves out). */
const isApkUpdate = (c: ShellCommand): boolean => {
  const pc = packageCommand(c);
  return pc?.tool === 'apk' && pc.sub === 'update' && pc.operands.length === 0;
};
/** `apk update && ` as written, with a continuation after it: the text the fix deletes. */
const APK_UPDATE_AND = /(?<![\w.-])apk[ \t]+update[ \t]*&&[ \t]*(?:\\\r?\n[ \t]*)?/g;

/** The finding for one step (its text and flags alone decide it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some(lacksOption) || mountCovers(step, '/var/cache/apk')) return null;
  if (cmds.some(removesApkCache)) return null;
  // only when every apk command of the RUN is an add or that update (an `apk upgrade` reads the updated index)
  const apk = cmds.filter((c) => packageCommand(c)?.tool === 'apk');
  const updates = apk.every((c) => isApkUpdate(c) || readApkAdd(c) !== null) ? apk.filter(isApkUpdate).length : 0;
  const fixes = (model: DockerfileModel) => {
    const add = addOptionFix(
      model,
      step,
      cmds.filter((c) => readApkAdd(c) !== null),
      subcommandPattern(PROGRAM_PATTERN.apk, 'add'),
      '--no-cache',
      lacksOption,
    );
    const drop = updates ? deleteInStep(model, step, APK_UPDATE_AND, updates) : [];
    if (add.length === 0 || (updates && drop.length === 0)) return add;
    return [
      {
        ...add[0],
        title: updates ? 'Add --no-cache and drop apk update' : add[0].title,
        edits: [...drop, ...add[0].edits],
      },
    ];
  };
  return {
    line: step.line,
    endLine: step.endLine,
    message:
      'apk add without --no-cache keeps the downloaded package index in /var/cache/apk (about 2-3 MB in this layer); use apk add --no-cache.',
    fixes,
  };
};

export const apkNoCache: Rule = {
  id: 'apk-no-cache',
  hadolint: 'DL3019',
  severity: 'info',
  description: 'apk add without --no-cache leaves the package index in the layer.',
  check: finalImageSteps(checkStep),
};
