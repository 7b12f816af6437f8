// multi-stage-candidate
//
// What: the final stage compiles or bundles from source (go build, cargo build, mvn/gradle package, dotnet
// publish, npm/yarn/pnpm run build, gcc/make with build-essential, pip installs that need compilers), so the
// compiler, SDK, build caches, sources and dev dependencies ship in the image.
// Why: the toolchain is most of such an image: golang is ≈ 830 MB, a static Go binary runs on a 2 MB
// distroless image; a JDK+Maven image carries ≈ 250 MB a JRE does not need; build-essential adds ≈ 250 MB.
// Fix: split into a builder stage and a runtime stage on a runtime image chosen by ecosystem, copying only the
// artifacts the build command names (rewrite/multiStage.ts). The title and the message carry the saving
// estimated from the base-image table and the layer estimates, less what the runtime stage installs again; after
// the rewrite the editor re-estimates. When the rewrite cannot be made safe (a builder step that may write files the
// image needs, a pip install with its own location...), the finding says why and offers no fix.
// Not reported when the final stage only copies artifacts built in another stage, nor when the compilers are
// installed and removed again in the RUN that builds (apt-get purge --auto-remove, apk del .build-deps): then the
// toolchain never reaches a layer; nor when the estimated saving is under 1 MB (the same small base, a toolchain that
// weighs nothing: a split would only make the file longer).

import { ECOSYSTEM_NAMES, findBuild, toolchainRemoved } from '../buildPlan';
import { multiStageRewrite } from '../rewrite/multiStage';
import { describeSaving, runsBytes, savingOf } from '../rewrite/saving';
import type { Rule, RuleContext, RuleFinding } from './rule';

/** Below this estimated saving the split is not offered (what a build stage costs in reading is not worth it). */
const MIN_SAVING_BYTES = 1_000_000;

export const multiStageCandidate: Rule = {
  id: 'multi-stage-candidate',
  severity: 'info',
  description:
    'The final stage builds from source and ships its toolchain; a builder stage and a small runtime stage would not.',
  check(ctx: RuleContext): RuleFinding[] {
    const { model } = ctx;
    const stage = model.stages[model.target];
    if (!stage || stage.from === 'scratch') return [];
    const plan = findBuild(model, stage);
    // the official images' way: compilers installed, used and purged in one RUN never reach a layer
    if (!plan || toolchainRemoved(model, plan) !== null) return [];
    const buildStep = model.steps[plan.buildStep];
    const what = `${ECOSYSTEM_NAMES[plan.ecosystem]} build at line ${buildStep.line} (\`${short(plan.command)}\`)`;
    const rewrite = multiStageRewrite(model, plan);
    if ('declined' in rewrite) {
      return [
        {
          line: stage.line,
          endLine: stage.line,
          message: `The final stage runs a ${what} and ships the toolchain with the image; build in a separate stage and copy only the output (no rewrite is offered: ${rewrite.declined}).`,
          fixes: [],
        },
      ];
    }
    const saving = savingOf(
      model,
      ctx.sizes,
      stage,
      rewrite.runtime.image,
      [...rewrite.keptSteps, ...plan.carriedSteps],
      runsBytes(rewrite.runtime.image, rewrite.runtimeRuns),
    );
    // a toolchain that weighs next to nothing (a stand-in, a static tool on busybox): no rewrite is worth it
    if (saving && saving.bytes < MIN_SAVING_BYTES) return [];
    const saves = describeSaving(model, stage, rewrite.runtime.image, saving);
    const caveats = rewrite.notes.length ? ` (${rewrite.notes.join('; ')})` : '';
    const artifacts = plan.artifacts.map((a) => a.path).join(', ');
    return [
      {
        line: stage.line,
        endLine: stage.line,
        message: `The final stage runs a ${what} and ships the toolchain with the image. A builder stage plus a runtime stage FROM ${rewrite.runtime.image} that copies only ${artifacts}: ${saves}${saving ? ` (estimate: ${saving.basis})` : ''}.${caveats}`,
        fixes: [
          {
            title: `Split into a build stage and a ${rewrite.runtime.image} runtime stage (${saves})${caveats}`,
            edits: rewrite.edits,
            preferred: true,
          },
        ],
      },
    ];
  },
};

function short(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}
