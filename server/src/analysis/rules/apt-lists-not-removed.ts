// apt-lists-not-removed (hadolint DL3009)
//
// What: a RUN that runs `apt-get update` and does not delete /var/lib/apt/lists/* in that same RUN, in a stage
// that reaches the final image.
// Why: `apt-get update` downloads the package index into /var/lib/apt/lists: about 18 MB on Debian bookworm,
// 40-50 MB on Ubuntu. It is only needed while installing; left in the layer it ships with every pull. Deleting
// it in a later RUN does not help: the bytes stay in the earlier layer.
// Not a finding when a cache mount covers /var/lib/apt or /var/cache/apt.
// Fix: append `&& rm -rf /var/lib/apt/lists/*` to the same RUN.

import { commandsOf } from '../shell';
import { mountCovers } from '../sources';
import { isAptUpdate, removesAptLists } from '../packageCommands';
import { appendToRun } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

/** The finding for one step (its text and flags alone decide it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some(isAptUpdate)) return null;
  if (mountCovers(step, '/var/lib/apt/lists') || mountCovers(step, '/var/cache/apt')) return null;
  if (cmds.some(removesAptLists)) return null;
  const fixes = (model: DockerfileModel) => {
    const edit = appendToRun(model, step, 'rm -rf /var/lib/apt/lists/*');
    return edit ? [{ title: 'Remove /var/lib/apt/lists/* in this RUN', preferred: true, edits: [edit] }] : [];
  };
  return {
    line: step.line,
    endLine: step.endLine,
    message:
      'apt-get update leaves ~18 MB of package lists in this layer (40+ MB on Ubuntu); remove /var/lib/apt/lists/* in the same RUN.',
    fixes,
  };
};

export const aptListsNotRemoved: Rule = {
  id: 'apt-lists-not-removed',
  hadolint: 'DL3009',
  severity: 'info',
  description: 'apt-get update without removing /var/lib/apt/lists in the same RUN ships the package index.',
  check: finalImageSteps(checkStep),
};
