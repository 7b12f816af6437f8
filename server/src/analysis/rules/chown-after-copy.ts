// chown-after-copy
//
// What: a RUN whose `chown -R`, `chgrp -R` or `chmod -R` covers a folder that COPY/ADD steps of its stage filled
// before it, in a stage that reaches the final image, when those copies come to 1 MB or more (or their size is not
// known: a whole-context copy read without its context).
// Why: a layer stores a whole file again when its owner or mode changes (overlayfs copies it up): `COPY . /app` then
// `RUN chown -R app:app /app` ships every copied byte twice. Measured on both builders (the engine test of
// estimate/run/metadata.ts, which sizes that RUN's layer): a 3 MB copy, then chown -R, gave a 3 MB layer.
// Not a finding: copies under 1 MB together (an entrypoint script made executable), or of named files whose size is
// not known (no context read: a config file, usually), copies that set --chown/--chmod themselves, `chown --from`
// (it changes only some owner's files), paths the copies did not fill (the base image's), a chown without -R.
// Fix (../rewrite/chownCopy.ts): for chown/chgrp, `--chown` on those COPY steps and the RUN reduced to the folder
// itself. Not offered, and the finding says why, where the rewrite could change the result: the RUN does more than
// the chown, another step also writes under the folder, the owner may not exist yet where the COPY runs, an ADD.
// chmod -R gets no fix: `COPY --chmod` is BuildKit's only; the message names it.

import { readMetadataChange } from '../runWrites/files';
import { commandsOf } from '../shell';
import { isUnder, joinDir, normalizeAbs } from '../paths';
import { contextSources } from '../sources';
import type { Step } from '../model';
import { planChownCopy } from '../rewrite/chownCopy';
import { formatBytes } from '../units';
import { memoPerStep } from '../reuse';
import { positionIn } from '../steps';
import { stepsInFinalImage, type Rule, type RuleContext, type RuleFinding } from './rule';

/** Copies below this (together) are not worth a rewrite. */
const MIN_BYTES = 1_000_000;

/**
 * Steps looked at per analysis: each recursive chown scans the steps before it in its stage (for the copies, then
 * for the fix's other writers and accounts), so a crafted file of 20,000 `COPY` + `chown -R` pairs would be
 * quadratic. Real files use a few thousand; past the budget, later RUNs are not checked.
 */
const MAX_STEPS_SCANNED = 300_000;

export const chownAfterCopy: Rule = {
  id: 'chown-after-copy',
  severity: 'warning',
  description:
    'A RUN chown -R / chmod -R over files a COPY brought in stores them a second time; COPY --chown (or --chmod) sets them once.',
  check(ctx) {
    const out: RuleFinding[] = [];
    const budget = { left: MAX_STEPS_SCANNED };
    for (const step of stepsInFinalImage(ctx.model)) {
      if (step.keyword !== 'RUN') continue;
      const f = checkRun(ctx, step, budget);
      if (f) out.push(f);
      if (budget.left < 0) break;
    }
    return out;
  },
};

function checkRun(ctx: RuleContext, step: Step, budget: { left: number }): RuleFinding | null {
  for (const cmd of commandsOf(step)) {
    const change = readMetadataChange(cmd);
    if (!change || !change.recursive || change.conditional) continue;
    if (change.program === 'touch' || change.program === 'setcap') continue;
    for (const raw of change.files) {
      if (/[$`*?[]/.test(raw)) continue;
      const path = joinDir(step.workdir, raw);
      // the copies, then the fix's scans (other writers, accounts) walk the stage up to this RUN
      budget.left -= 3 * positionIn(ctx.model.stages[step.stage].steps, step.index);
      if (budget.left < 0) return null;
      const copies = copiesUnder(ctx, step, path);
      const amount = copies.length ? storedAgain(ctx, step, copies) : null;
      if (amount === null) continue;
      const head = `\`${clip(cmd.text)}\` changes the ${ATTRIBUTE[change.program]} of every file under ${path}, where ${linesText(copies)} copied files, so this layer stores ${amount} again (a layer keeps a whole file when its owner or mode changes).`;
      if (change.program === 'chmod')
        return {
          line: step.line,
          endLine: step.endLine,
          message: `${head} Set the mode when copying: \`COPY --chmod=\` (BuildKit), or keep the modes in the build context. No quick fix: the legacy builder has no --chmod.`,
          fixes: [],
        };
      const plan = planChownCopy(ctx, step, cmd, path, copies);
      return {
        line: step.line,
        endLine: step.endLine,
        message: `${head} Copy with \`--chown\` instead.${plan.why ? ` No quick fix: ${plan.why}.` : ''}`,
        fixes: plan.fixes,
      };
    }
  }
  return null;
}

const ATTRIBUTE: Record<string, string> = { chmod: 'mode', chgrp: 'group', chown: 'owner' };

/**
 * How much the RUN stores again, as shown ("4.00 MB"), or null when it is not worth a finding: under 1 MB, or not
 * known and only named files (without a context read, usually a config file; folders and stages may hold any amount).
 */
function storedAgain(ctx: RuleContext, run: Step, copies: readonly Step[]): string | null {
  const sizes = copies.map((c) => ctx.sizes[c.index]);
  const known = sizes.every((s) => s !== null);
  // the RUN's own estimate (estimate/run/metadata.ts) also counts what earlier RUNs installed there
  const own = ctx.sizes[run.index];
  const bytes = Math.max(
    sizes.reduce((n, s) => n + (s?.bytes ?? 0), 0),
    own && !own.lowerBound ? own.bytes : 0,
  );
  if (known) return bytes < MIN_BYTES ? null : formatBytes(bytes);
  if (!copies.some((c, k) => sizes[k] === null && mayBeLarge(ctx, c))) return null;
  return 'the files (their size is not known here)';
}

function clip(text: string): string {
  return text.length > 50 ? text.slice(0, 47) + '...' : text;
}

function linesText(steps: readonly Step[]): string {
  const lines = steps.map((c) => c.line);
  return lines.length === 1
    ? `line ${lines[0]}`
    : `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
}

/** A copy of a folder, of the whole context or from another stage or image: it may hold any amount. */
function mayBeLarge(ctx: RuleContext, copy: Step): boolean {
  if (copy.copyFrom) return true;
  return contextSources(copy, ctx.facts.context).some((x) => x.kind === 'context' || x.kind === 'folder');
}

/** A COPY's destination, normalised, once per Step object. */
const destinationOf = memoPerStep((s: Step) => normalizeAbs(s.destination ?? ''));

/**
 * The COPY/ADD steps of `run`'s stage before it whose destination is `path` or inside it, without those that set
 * --chown or --chmod themselves (their files may already be as the RUN sets them).
 */
function copiesUnder(ctx: RuleContext, run: Step, path: string): Step[] {
  const stage = ctx.model.stages[run.stage];
  const out: Step[] = [];
  for (const i of stage.steps) {
    if (i >= run.index) break;
    const s = ctx.model.steps[i];
    if ((s.keyword !== 'COPY' && s.keyword !== 'ADD') || !s.destination) continue;
    if (s.flags.some((f) => f.name === 'chown' || f.name === 'chmod')) continue;
    if (isUnder(destinationOf(s), path)) out.push(s);
  }
  return out;
}
