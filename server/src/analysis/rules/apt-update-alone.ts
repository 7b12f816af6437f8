// apt-update-alone
//
// What: `RUN apt-get update` in a layer of its own.
// Why: the builder caches that layer. Later `apt-get install` steps then reuse an index from whenever it was
// first built: weeks later they ask the mirror for versions it no longer has (404 Not Found) or silently
// install old ones, and the lonely index (about 18 MB on Debian) also ships in its own layer. A cache rule: it
// fires in every stage.
// Fix (../rewrite/smallFixes.ts): delete the lonely RUN and start the next `apt-get install` RUN of the stage with
// `apt-get update &&` (or only delete it when that RUN updates the index itself).

import type { DockerfileModel, Step } from '../model';
import { commandsOf } from '../shell';
import { aptSubcommand, isAptUpdate } from '../packageCommands';
import { aptUpdateAloneFixes } from '../rewrite/smallFixes';
import type { Rule } from './rule';

const HARMLESS = new Set(['set', 'true', 'echo', ':']);

const INSTALLS = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade']);

/** For each position in a stage's steps, the first later step that installs or upgrades apt packages. */
function installsAfter(model: DockerfileModel, stepIndexes: readonly number[]): (Step | undefined)[] {
  const out = new Array<Step | undefined>(stepIndexes.length);
  let next: Step | undefined;
  for (let k = stepIndexes.length - 1; k >= 0; k--) {
    out[k] = next;
    const s = model.steps[stepIndexes[k]];
    if (commandsOf(s).some((c) => INSTALLS.has(aptSubcommand(c) ?? ''))) next = s;
  }
  return out;
}

export const aptUpdateAlone: Rule = {
  id: 'apt-update-alone',
  severity: 'warning',
  description: 'RUN apt-get update on its own: later installs reuse a stale cached index.',
  check({ model }) {
    const out: ReturnType<Rule['check']> = [];
    for (const stage of model.stages) {
      // the first install after each step, found walking the stage backwards once (not a scan per update)
      let nextInstall: (Step | undefined)[] | null = null;
      for (let k = 0; k < stage.steps.length; k++) {
        const step = model.steps[stage.steps[k]];
        const cmds = commandsOf(step);
        // only a RUN whose every command is an update or harmless (most RUNs fail the first test)
        if (!cmds.some(isAptUpdate) || !cmds.every((c) => isAptUpdate(c) || HARMLESS.has(c.program))) continue;
        nextInstall ??= installsAfter(model, stage.steps);
        const next = nextInstall[k];
        const fixes = next ? aptUpdateAloneFixes(model, step, next) : [];
        out.push({
          line: step.line,
          endLine: step.endLine,
          message: next
            ? `apt-get update runs in a layer of its own: the build cache keeps this index, so the install at line ${next.line} can reuse a stale one (404s or old versions). Run apt-get update in the same RUN as apt-get install.`
            : 'apt-get update runs in a layer of its own and no later RUN of this stage installs anything: it only adds a package index to the image.',
          fixes,
        });
      }
    }
    return out;
  },
};
