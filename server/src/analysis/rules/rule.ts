// What every rule is: an id, a default severity, an optional hadolint equivalent, and a check that reads the
// model (and the facts we have) and returns findings with their fixes.

import { memoPerStep } from '../reuse';
import type {
  AnalysisFacts,
  AnalysisOptions,
  CacheRisk,
  DockerfileModel,
  Finding,
  Fix,
  LayerSize,
  Severity,
  Step,
} from '../model';

export interface RuleContext {
  model: DockerfileModel;
  facts: AnalysisFacts;
  options: AnalysisOptions;
  /** Per step (by step index): its size and cache risk, computed before the rules run. */
  sizes: (LayerSize | null)[];
  risks: CacheRisk[];
}

export interface Rule {
  /** Stable kebab-case id, e.g. "copy-before-install". */
  id: string;
  /** The equivalent hadolint code, e.g. "DL3009". */
  hadolint?: string;
  severity: Severity;
  /** One sentence for the README and settings. */
  description: string;
  check(ctx: RuleContext): RuleFinding[];
}

/**
 * What a rule reports. Its fixes may be given as a function of the model: they are then built only when someone asks
 * for them (a code action at that line, the CLI's report), not on every keystroke for every finding of the file.
 * The function gets the model it is asked in, so that a finding kept from an earlier version (see finalImageSteps)
 * does not hold that version's text alive.
 */
export type RuleFinding = Omit<Finding, 'rule' | 'severity' | 'hadolint' | 'fixes'> & {
  fixes: Fix[] | ((model: DockerfileModel) => Fix[]);
};

/** The steps of the stages that reach the final image, in order: where size rules look (hadolint#167). */
export function stepsInFinalImage(model: DockerfileModel): readonly Step[] {
  let steps = finalSteps.get(model);
  if (!steps) {
    const list: Step[] = [];
    for (const stage of model.stages) {
      if (!stage.reachesFinal) continue;
      for (const i of stage.steps) list.push(model.steps[i]);
    }
    finalSteps.set(model, (steps = list));
  }
  return steps;
}

/**
 * A rule's check made of a per-step check over the steps that reach the final image. `checkStep` must depend on
 * nothing but the step (its text, lines and flags): it runs once per Step object, and steps an edit did not change
 * keep their objects (reuse.ts), so on a long file an edit re-checks only the steps it touched.
 */
export function finalImageSteps(check: (step: Step) => RuleFinding | null): Rule['check'] {
  const checkStep = memoPerStep(check);
  return ({ model }) => {
    const out: RuleFinding[] = [];
    for (const step of stepsInFinalImage(model)) {
      const f = checkStep(step);
      if (f) out.push(f);
    }
    return out;
  };
}

/** Computed once per model: four rules walk it on every analysis. */
const finalSteps = new WeakMap<DockerfileModel, readonly Step[]>();
