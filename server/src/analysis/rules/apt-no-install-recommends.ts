// apt-no-install-recommends (hadolint DL3015)
//
// What: `apt-get install` without `--no-install-recommends`, in a stage that reaches the final image.
// Why: apt also installs every "Recommended" package by default. On Debian and Ubuntu that routinely doubles
// an install: `apt-get install -y curl` pulls in about 20 extra packages (ca-certificates, krb5, ldap, sasl,
// publicsuffix...) and tens of MB that nothing in the image uses; every pull and push carries them.
// Fix: add `--no-install-recommends` after `install` (and add back, by name, any recommended package the image
// really needs).

import { commandsOf, findCommands, hasOption, isCommand, type ShellCommand } from '../shell';
import { addOptionFix, subcommandPattern } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

const APT_GET = ['apt-get'];
const INSTALL = ['install'];

function recommendsOff(cmd: ShellCommand): boolean {
  return (
    hasOption(cmd, '--no-install-recommends') ||
    cmd.words.some((w) => /^APT::Install-Recommends=["']?(false|0)["']?$/i.test(w))
  );
}

/** The finding for one step (its text alone decides it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some((c) => isCommand(c, APT_GET, INSTALL) && !recommendsOff(c))) return null;
  const installs = findCommands(cmds, APT_GET, INSTALL);
  const fixes = (model: DockerfileModel) =>
    addOptionFix(
      model,
      step,
      installs,
      subcommandPattern('apt-get', 'install'),
      '--no-install-recommends',
      (c) => !recommendsOff(c),
    );
  return {
    line: step.line,
    endLine: step.endLine,
    message: 'apt-get install also installs recommended packages, often tens of MB more; add --no-install-recommends.',
    fixes,
  };
};

export const aptNoInstallRecommends: Rule = {
  id: 'apt-no-install-recommends',
  hadolint: 'DL3015',
  severity: 'info',
  description: 'apt-get install without --no-install-recommends adds recommended packages nobody asked for.',
  check: finalImageSteps(checkStep),
};
