// apk-no-cache (hadolint DL3019)
//
// What: `apk add` without `--no-cache`, in a stage that reaches the final image.
// Why: apk keeps the package index it downloaded in /var/cache/apk (about 2-3 MB for Alpine main+community)
// and that copy ships in the layer. `--no-cache` fetches the index to a temporary place and leaves nothing.
// Not a finding when a cache mount covers /var/cache/apk, or the same RUN deletes /var/cache/apk.
// Fix: add `--no-cache` after `add`.

import { commandsOf, findCommands, hasOption, isCommand, operands } from '../shell';

const APK = ['apk'];
const ADD = ['add'];
import { mountCovers } from '../sources';
import { addOptionFix, subcommandPattern } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

/** The finding for one step (its text and flags alone decide it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some((c) => isCommand(c, APK, ADD))) return null;
  const adds = findCommands(cmds, APK, ADD);
  const missing = adds.filter((c) => !hasOption(c, '--no-cache'));
  if (missing.length === 0 || mountCovers(step, '/var/cache/apk')) return null;
  const cleaned = findCommands(cmds, ['rm']).some((c) =>
    operands(c, false).some((p) => p.startsWith('/var/cache/apk')),
  );
  if (cleaned) return null;
  const fixes = (model: DockerfileModel) =>
    addOptionFix(model, step, adds, subcommandPattern('apk', 'add'), '--no-cache', (c) => !hasOption(c, '--no-cache'));
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
