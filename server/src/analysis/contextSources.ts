// Which COPY/ADD sources of the stages a build runs are not in the build context that was read: the facts behind
// two rules, copy-source-missing (a few sources missing: the build stops there) and build-context-mismatch (most of
// them missing: the folder read is probably not the context the build uses). Sources with a wildcard, a variable
// or a URL are left out: BuildKit copies nothing for a wildcard that matches nothing, and the others are not files
// of the context.

import { builtStages } from './cache';
import type { BuildContextFacts, DockerfileModel, Step } from './model';
import { contextSources, hasGlob, type ContextSource } from './sources';

export interface AbsentSource {
  step: Step;
  source: ContextSource;
}

export interface SourceCheck {
  absent: AbsentSource[];
  /** Sources (without a wildcard) that the context has. */
  present: number;
}

/** Null without a complete context listing (none read, or it stopped early). */
export function checkContextSources(
  model: DockerfileModel,
  context: BuildContextFacts | undefined,
): SourceCheck | null {
  if (!context || context.truncated) return null;
  const known = memo.get(model);
  if (known && known.context === context) return known.check;
  const check: SourceCheck = { absent: [], present: 0 };
  for (const step of builtSteps(model)) {
    for (const source of contextSources(step, context)) {
      if (source.kind === 'remote' || source.raw.includes('$') || hasGlob(source.path)) continue;
      if ((source.files?.length ?? 0) > 0) check.present++;
      else check.absent.push({ step, source });
    }
  }
  memo.set(model, { context, check });
  return check;
}

/**
 * Most sources absent: the folder read is probably not the build context. Not when some sources are there and every
 * absent one lies in one top folder the context lacks entirely: that folder is missing (a git submodule not checked
 * out), which copy-source-missing reports.
 */
export function looksLikeAnotherContext(check: SourceCheck, context: BuildContextFacts): boolean {
  return check.absent.length > check.present && missingFolder(check, context) === null;
}

/** The one top folder every absent source lies in, when the context has nothing in it and has other sources. */
export function missingFolder(check: SourceCheck, context: BuildContextFacts): string | null {
  if (check.present === 0 || check.absent.length === 0) return null;
  const tops = new Set(check.absent.map((a) => (a.source.path.includes('/') ? a.source.path.split('/')[0] : '')));
  if (tops.size !== 1 || tops.has('')) return null;
  const top = [...tops][0];
  return context.files.some((f) => f.path.startsWith(top + '/')) ? null : top;
}

const memo = new WeakMap<DockerfileModel, { context: BuildContextFacts; check: SourceCheck }>();

/** The steps of the stages the build runs (cache.ts builtStages: the target and what it depends on), in order. */
function builtSteps(model: DockerfileModel): Step[] {
  const out: Step[] = [];
  for (const s of [...builtStages(model)].sort((a, b) => a - b))
    for (const i of model.stages[s].steps) out.push(model.steps[i]);
  return out;
}

/** Where a finding about a COPY/ADD step sits: its keyword. */
export function atKeyword(step: Step): { line: number; endLine: number; column: number; endColumn: number } {
  return { line: step.line, endLine: step.endLine, column: step.column, endColumn: step.column + step.keyword.length };
}

export function quoted(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}
