// pip-no-cache-dir (hadolint DL3042)
//
// What: `pip install` without `--no-cache-dir`, in a stage that reaches the final image.
// Why: pip keeps every wheel it downloaded or built in ~/.cache/pip, inside the layer. For a typical web app's
// requirements that is tens of MB (numpy alone leaves its ~17 MB wheel, torch with its CUDA wheels ~2.7 GB: the wheel
// sizes of data/pypi-sizes.json, which the pip estimate adds for the cache) that the image never uses.
// Not a finding when ENV PIP_NO_CACHE_DIR is set in the stage (or for the command), or a cache mount covers the pip
// cache. pip's long options may be abbreviated (`--no-cache` is `--no-cache-dir`): ../packageCommands.ts reads them.
// Fix: add `--no-cache-dir` after `install`.

import { commandsOf, type ShellCommand } from '../shell';
import { mountCovers } from '../sources';
import type { DockerfileModel } from '../model';
import { packageCommand, PROGRAM_PATTERN, readPipInstall } from '../packageCommands';
import { addOptionFix, subcommandPattern } from '../rewrite/runEdits';
import { stepsInFinalImage, type Rule } from './rule';

/** A pip install that keeps its wheel cache. */
/** pip (not `uv pip`: uv keeps its own cache, not pip's) installing without --no-cache-dir. */
const lacksOption = (c: ShellCommand): boolean => {
  const pip = readPipInstall(c);
  return pip !== null && !pip.uv && !pip.noCacheDir;
};

/**
 * For each stage, the first step of it or of the stages it is built FROM that sets PIP_NO_CACHE_DIR (ENV or ARG);
 * Infinity for none. One pass over the stages (each takes its base's answer), not one walk of the chain per step.
 */
function pipEnvLines(model: DockerfileModel): number[] {
  const out: number[] = [];
  for (const stage of model.stages) {
    let first = stage.baseStage !== null ? (out[stage.baseStage] ?? Infinity) : Infinity;
    for (const i of stage.steps) {
      if (i >= first) break;
      const s = model.steps[i];
      if ((s.keyword === 'ENV' || s.keyword === 'ARG') && /\bPIP_NO_CACHE_DIR\b/.test(s.args)) first = i;
    }
    out[stage.index] = first;
  }
  return out;
}

export const pipNoCacheDir: Rule = {
  id: 'pip-no-cache-dir',
  hadolint: 'DL3042',
  severity: 'warning',
  description: 'pip install without --no-cache-dir ships the wheel cache in the layer.',
  check({ model }) {
    const out: ReturnType<Rule['check']> = [];
    const envAt = pipEnvLines(model);
    for (const step of stepsInFinalImage(model)) {
      const cmds = commandsOf(step);
      if (!cmds.some(lacksOption)) continue;
      if (mountCovers(step, '/root/.cache/pip')) continue;
      if (envAt[step.stage] < step.index) continue; // ENV or ARG PIP_NO_CACHE_DIR above it
      // every `pip install` the text shows (`uv pip install` too), so the matches line up with the commands
      const fixes = (m: DockerfileModel) =>
        addOptionFix(
          m,
          step,
          cmds.filter((c) => packageCommand(c)?.tool === 'pip' && packageCommand(c)?.sub === 'install'),
          subcommandPattern(PROGRAM_PATTERN.pip, 'install'),
          '--no-cache-dir',
          lacksOption,
        );
      out.push({
        line: step.line,
        endLine: step.endLine,
        message:
          'pip install without --no-cache-dir keeps every downloaded wheel in ~/.cache/pip inside this layer (often tens of MB); add --no-cache-dir.',
        fixes,
      });
    }
    return out;
  },
};
