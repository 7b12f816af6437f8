// apk-no-cache (hadolint DL3019)
//
// What: `apk add` without `--no-cache`, in a stage that reaches the final image.
// Why: apk keeps the package index it downloaded in /var/cache/apk (about 2-3 MB for Alpine main+community)
// and that copy ships in the layer. `--no-cache` fetches the index to a temporary place and leaves nothing.
// Not a finding when a cache mount covers /var/cache/apk, or the same RUN deletes /var/cache/apk.
// Fix (../rewrite/packageIndex.ts): add `--no-cache` after `add`. apk's options may stand before the applet
// (`apk --no-cache add`, `apk -U add`): ../packageCommands.ts reads them. An `apk add -U` RUN kept the index for the
// installs after it: a later plain `apk add` (in the stage, or in a stage built FROM it) that read it gets
// `--no-cache` too (it then fetches its own), or no fix is offered and the finding says why. An `apk update && `
// before the add is dropped when nothing later reads its index: it writes the very index --no-cache keeps out.

import { commandsOf, type ShellCommand } from '../shell';
import { mountCovers } from '../sources';
import { readApkAdd, removesApkCache } from '../packageCommands';
import { apkNoCacheFix, apkReadersAfterFix, linesText } from '../rewrite/packageIndex';
import type { DockerfileModel, Step } from '../model';
import { memoPerStep } from '../reuse';
import { stepsInFinalImage, type Rule, type RuleFinding } from './rule';

const MESSAGE =
  'apk add without --no-cache keeps the downloaded package index in /var/cache/apk (about 2-3 MB in this layer); use apk add --no-cache.';

/** An apk add that keeps the index in /var/cache/apk. */
const lacksOption = (c: ShellCommand): boolean => readApkAdd(c)?.noCache === false;

/** Whether the step keeps the index (its text and flags alone decide it: once per Step object). */
const keepsIndex = memoPerStep((step: Step): boolean => {
  const cmds = commandsOf(step);
  if (!cmds.some(lacksOption) || mountCovers(step, '/var/cache/apk')) return false;
  return !cmds.some(removesApkCache);
});

/** The finding when no later install needs this RUN's index: the same object for the same step (reuse.ts). */
const plainFinding = memoPerStep((step: Step): RuleFinding => ({
  line: step.line,
  endLine: step.endLine,
  message: MESSAGE,
  fixes: (model: DockerfileModel) => {
    const fix = apkNoCacheFix(model, step, []);
    return 'why' in fix ? [] : [fix];
  },
}));

function findingFor(model: DockerfileModel, step: Step): RuleFinding {
  const readers = apkReadersAfterFix(model, step);
  if (readers.length === 0) return plainFinding(step);
  const fix = apkNoCacheFix(model, step, readers);
  const where = linesText(readers);
  return {
    line: step.line,
    endLine: step.endLine,
    message:
      'why' in fix
        ? `${MESSAGE} No fix offered: ${fix.why}.`
        : `${MESSAGE} The apk add at ${where} uses the index this RUN keeps: the fix gives it --no-cache too.`,
    fixes: 'why' in fix ? [] : [fix],
  };
}

export const apkNoCache: Rule = {
  id: 'apk-no-cache',
  hadolint: 'DL3019',
  severity: 'info',
  description: 'apk add without --no-cache leaves the package index in the layer.',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const step of stepsInFinalImage(model)) if (keepsIndex(step)) out.push(findingFor(model, step));
    return out;
  },
};
