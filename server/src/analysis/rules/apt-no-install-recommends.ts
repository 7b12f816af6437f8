// apt-no-install-recommends (hadolint DL3015)
//
// What: `apt-get install` (or `apt install`) without `--no-install-recommends` (nor -o APT::Install-Recommends=false),
// in a stage that reaches the final image.
// Why: apt also installs every "Recommended" package by default. On Debian and Ubuntu that routinely doubles
// an install: `apt-get install -y curl` pulls in about 20 extra packages (ca-certificates, krb5, ldap, sasl,
// publicsuffix...) and tens of MB that nothing in the image uses; every pull and push carries them.
// Fix: add `--no-install-recommends` after `install` (and add back, by name, any recommended package the image
// really needs).

import { commandsOf, type ShellCommand } from '../shell';
import { PROGRAM_PATTERN, readAptInstall } from '../packageCommands';
import { addOptionFix, subcommandPattern } from '../rewrite/runEdits';
import type { DockerfileModel, Step } from '../model';
import { finalImageSteps, type Rule, type RuleFinding } from './rule';

/** An apt install that keeps Recommends on. */
const lacksOption = (c: ShellCommand): boolean => readAptInstall(c)?.noRecommends === false;

/** The finding for one step (its text alone decides it; finalImageSteps runs it once per Step object). */
const checkStep = (step: Step): RuleFinding | null => {
  const cmds = commandsOf(step);
  if (!cmds.some(lacksOption)) return null;
  const fixes = (model: DockerfileModel) =>
    addOptionFix(
      model,
      step,
      cmds.filter((c) => readAptInstall(c) !== null),
      subcommandPattern(PROGRAM_PATTERN.apt, 'install'),
      '--no-install-recommends',
      lacksOption,
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
