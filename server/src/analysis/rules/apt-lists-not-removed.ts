// apt-lists-not-removed (hadolint DL3009)
//
// What: a RUN that runs `apt-get update` and does not delete /var/lib/apt/lists/* in that same RUN, in a stage
// that reaches the final image.
// Why: `apt-get update` downloads the package index into /var/lib/apt/lists: about 18 MB on Debian bookworm,
// 40-50 MB on Ubuntu. It is only needed while installing; left in the layer it ships with every pull. Deleting
// it in a later RUN does not help: the bytes stay in the earlier layer.
// Not a finding when a cache mount covers /var/lib/apt or /var/cache/apt.
// Fix (../rewrite/packageIndex.ts): append `&& rm -rf /var/lib/apt/lists/*` to the same RUN. A later install that used
// this index without its own `apt-get update` (later in the stage, or in a stage built FROM this one) would then
// fail ("Unable to locate package"): the fix also starts that RUN with `apt-get update && `, and is not offered
// (the finding says why) when that RUN cannot be edited.

import { commandsOf } from '../shell';
import { mountCovers } from '../sources';
import { isAptUpdate, removesAptLists } from '../packageCommands';
import { installsUsingIndex, linesText, removeListsFix } from '../rewrite/packageIndex';
import type { DockerfileModel, Step } from '../model';
import { stepsInFinalImage, type Rule, type RuleFinding } from './rule';
import { memoPerStep } from '../reuse';

const MESSAGE =
  'apt-get update leaves ~18 MB of package lists in this layer (40+ MB on Ubuntu); remove /var/lib/apt/lists/* in the same RUN.';

/** Whether the step leaves the index (its text and flags alone decide it: once per Step object). */
const leavesLists = memoPerStep((step: Step): boolean => {
  const cmds = commandsOf(step);
  if (!cmds.some(isAptUpdate)) return false;
  if (mountCovers(step, '/var/lib/apt/lists') || mountCovers(step, '/var/cache/apt')) return false;
  return !cmds.some(removesAptLists);
});

/** The finding when no later install uses this index: the same object for the same step (reuse.ts). */
const plainFinding = memoPerStep((step: Step): RuleFinding => ({
  line: step.line,
  endLine: step.endLine,
  message: MESSAGE,
  fixes: (model: DockerfileModel) => {
    const fix = removeListsFix(model, step, []);
    return 'why' in fix ? [] : [fix];
  },
}));

function findingFor(model: DockerfileModel, step: Step): RuleFinding {
  const readers = installsUsingIndex(model, step, 'apt');
  if (readers.length === 0) return plainFinding(step);
  const fix = removeListsFix(model, step, readers);
  const where = linesText(readers);
  return {
    line: step.line,
    endLine: step.endLine,
    message:
      'why' in fix
        ? `${MESSAGE} No fix offered: ${fix.why} (${where} installs from it without apt-get update).`
        : `${MESSAGE} The install at ${where} uses this index without its own apt-get update: the fix adds one there.`,
    fixes: 'why' in fix ? [] : [fix],
  };
}

export const aptListsNotRemoved: Rule = {
  id: 'apt-lists-not-removed',
  hadolint: 'DL3009',
  severity: 'info',
  description: 'apt-get update without removing /var/lib/apt/lists in the same RUN ships the package index.',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const step of stepsInFinalImage(model)) if (leavesLists(step)) out.push(findingFor(model, step));
    return out;
  },
};
