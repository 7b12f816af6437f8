// apk-no-cache (hadolint DL3019)
//
// What: `apk add` without `--no-cache`, in a stage that reaches the final image.
// Why: apk keeps the package index it downloaded in /var/cache/apk (about 2-3 MB for Alpine main+community)
// and that copy ships in the layer. `--no-cache` fetches the index to a temporary place and leaves nothing.
// Not a finding when a cache mount covers /var/cache/apk, or the same RUN deletes /var/cache/apk.
// Fix: add `--no-cache` after `add`. apk's options may stand before the applet (`apk --no-cache add`,
// `apk -U add`): ../packageCommands.ts reads them.

import { commandsOf, type ShellCommand } from '../shell';
import { mountCovers } from '../sources';
import { PROGRAM_PATTERN, readApkAdd, removesApkCache } from '../packageCommands';
import { addOptionFix, subcommandPattern } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

/** An apk add that keeps the index in /var/cache/apk. */
const lacksOption = (c: ShellCommand): boolean => readApkAdd(c)?.noCache === false;

/** The finding for one step (its text and flags alone decide it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some(lacksOption) || mountCovers(step, '/var/cache/apk')) return null;
  if (cmds.some(removesApkCache)) return null;
  const fixes = (model: DockerfileModel) =>
    addOptionFix(
      model,
      step,
      cmds.filter((c) => readApkAdd(c) !== null),
      subcommandPattern(PROGRAM_PATTERN.apk, 'add'),
      '--no-cache',
      lacksOption,
    );
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
