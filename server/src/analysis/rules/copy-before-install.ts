// copy-before-install
//
// What: a COPY/ADD that brings in files an ordinary edit changes (the whole context `.`, a source folder, source
// files; ordinaryEdit.ts decides, the same way as the cache levels: not dependency manifests or artifacts, build
// scripts, entrypoints, configs or files git history shows rarely change) placed before the stage's first step
// that installs or resolves that ecosystem's dependencies (npm ci, pip install -r, bundle install, go mod
// download, ... or a build that resolves them implicitly, such as go build or mvn package, when nothing earlier in
// the stage resolved them from the manifests).
// Why: the builder re-runs a step when anything it copies changed, and every step after it. With the sources
// copied first, every one-line code edit re-downloads and re-installs all dependencies: typically 30 s to
// several minutes per build, and a fresh copy of node_modules or site-packages in the layer cache each time.
// Copying the manifests first lets the install come from the cache until a dependency really changes.
// Fix (preferred quick fix, planned in rewrite/copyFirst.ts): rewrite the stage to copy that ecosystem's
// manifests first, run the install, then copy the rest; for builds that resolve implicitly, an explicit resolve
// step (go mod download, mvn dependency:go-offline, dotnet restore, ...) is added before the copy.

import { dependencyCommand, type DependencyCommand, type EcosystemId } from '../ecosystems';
import type { Step } from '../model';
import { commandsOf } from '../shell';
import { bringsOrdinaryEdit } from '../ordinaryEdit';
import { contextSources } from '../sources';
import { ECOSYSTEM_LABEL, planCopyFirst, type CopyFirstProblem } from '../rewrite/copyFirst';
import type { Rule, RuleContext } from './rule';

export const copyBeforeInstall: Rule = {
  id: 'copy-before-install',
  severity: 'warning',
  description: 'Sources copied before the dependency install: every code edit re-installs all dependencies.',
  check(ctx) {
    const { model } = ctx;
    const out: ReturnType<Rule['check']> = [];
    const resolvedAtEnd: Set<EcosystemId>[] = [];
    for (const stage of model.stages) {
      const resolved = new Set<EcosystemId>(stage.baseStage !== null ? (resolvedAtEnd[stage.baseStage] ?? []) : []);
      const sourceCopies: Step[] = [];
      for (const i of stage.steps) {
        const step = model.steps[i];
        if (step.keyword === 'COPY' || step.keyword === 'ADD') {
          if (bringsOrdinaryEdit(step, ctx.facts)) sourceCopies.push(step);
          continue;
        }
        if (step.keyword !== 'RUN') continue;
        const deps = commandsOf(step)
          .map(dependencyCommand)
          .filter((d): d is DependencyCommand => d !== null);
        for (const dep of deps) {
          if (resolved.has(dep.ecosystem)) continue;
          resolved.add(dep.ecosystem);
          if (sourceCopies.length === 0) continue;
          // a build that could resolve dependencies only has some when their manifests are in the stage: a
          // single main.go copied alone builds with the standard library
          if (
            dep.kind === 'build' &&
            !manifestsReachable(
              ctx,
              stage.steps.map((k) => model.steps[k]).filter((s) => s.index < step.index),
            )
          )
            continue;
          const problem: CopyFirstProblem = { dep, install: step, copies: sourceCopies.slice() };
          const { fixes, why } = planCopyFirst(ctx, problem);
          const noFix = why ? ` No quick fix: ${why}.` : '';
          const verb =
            dep.kind === 'install'
              ? `installs ${ECOSYSTEM_LABEL[dep.ecosystem]} dependencies`
              : `resolves ${ECOSYSTEM_LABEL[dep.ecosystem]} dependencies while building`;
          for (const copy of sourceCopies) {
            out.push({
              line: copy.line,
              endLine: copy.endLine,
              message: `This ${copy.keyword} brings in source files before line ${step.line} ${verb} (\`${dep.command.text.length > 50 ? dep.command.text.slice(0, 47) + '...' : dep.command.text}\`): every source edit re-runs that install. Copy the dependency manifests first, install, then copy the rest.${noFix || hint(dep)}`,
              fixes,
            });
          }
        }
      }
      resolvedAtEnd[stage.index] = resolved;
    }
    return out;
  },
};

/** Could these steps have brought dependency manifests in: a whole-context or folder copy, or a manifest copy? */
function manifestsReachable(ctx: RuleContext, steps: Step[]): boolean {
  return steps.some((s) =>
    contextSources(s, ctx.facts.context).some(
      (x) => x.kind === 'context' || x.kind === 'folder' || x.kind === 'manifest',
    ),
  );
}

function hint(dep: DependencyCommand): string {
  if (dep.ecosystem === 'poetry' && dep.needsSources)
    return ' Use `poetry install --no-root` for the dependencies, then install the project after copying it.';
  if (dep.ecosystem === 'uv' && dep.needsSources)
    return ' Use `uv sync --no-install-project` for the dependencies, then `uv sync` after copying the project.';
  if (dep.ecosystem === 'cargo' && dep.kind === 'build')
    return ' Cargo needs a target to fetch: copy Cargo.toml and Cargo.lock with a stub src/main.rs and run cargo fetch (or cargo build) first.';
  return '';
}
