// copy-source-missing (no hadolint equivalent: hadolint does not read the build context)
//
// What: a COPY/ADD source path (no wildcard) that matches nothing in the build context, after .dockerignore, in a
// stage the build runs (the target and the stages it depends on: BuildKit builds only those).
// Why: Docker stops the build there ("failed to compute cache key: ... not found" with BuildKit, "COPY failed:
// file not found in build context" with the legacy builder). The usual causes are an artifact built outside
// `docker build` (dist/, target/*.jar) not built yet, a git submodule not checked out, a file .dockerignore
// excludes, or a build that uses another folder as its context (`docker build -f docker/Dockerfile .`).
// A wildcard that matches nothing is not reported: BuildKit copies nothing for it and goes on (`COPY yarn.lock* ./`
// is a common way to copy a file that may be absent).
// When most context sources of the file are absent, the folder we read is most likely not the build context (a
// Dockerfile in docker/ built with the repository as its context): one finding says so instead of one per COPY.
// No fix: what is missing is outside the Dockerfile.

import type { BuildContextFacts, DockerfileModel, Step } from '../model';
import { contextSources, hasGlob, type ContextSource } from '../sources';
import type { Rule, RuleFinding } from './rule';

interface Absent {
  step: Step;
  source: ContextSource;
}

export const copySourceMissing: Rule = {
  id: 'copy-source-missing',
  severity: 'warning',
  description: 'A COPY/ADD source that is not in the build context: Docker stops the build at that step.',
  check({ model, facts }) {
    const context = facts.context;
    if (!context || context.truncated) return [];
    const absent: Absent[] = [];
    let present = 0;
    for (const step of builtSteps(model)) {
      for (const source of contextSources(step, context)) {
        if (source.kind === 'remote' || source.raw.includes('$') || hasGlob(source.path)) continue;
        if ((source.files?.length ?? 0) > 0) present++;
        else absent.push({ step, source });
      }
    }
    if (absent.length === 0) return [];
    if (absent.length > present) return [wrongContext(absent, present, context)];
    return absent.map(({ step, source }) => ({
      ...at(step),
      message: `${quote(source.raw)} is not in the build context${context.hasDockerignore ? ' (after .dockerignore)' : ''}: Docker stops the build at this step ("not found"). Is it an artifact built outside \`docker build\` that is not built yet, a git submodule not checked out${context.hasDockerignore ? ', a path .dockerignore excludes' : ''}, or does the build use another context folder?`,
      fixes: [],
    }));
  },
};

/** Most sources are absent: the folder read is probably not the context the build uses. */
function wrongContext(absent: Absent[], present: number, context: BuildContextFacts): RuleFinding {
  const first = absent[0];
  const names = [...new Set(absent.map((a) => quote(a.source.raw)))];
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return {
    ...at(first.step),
    message: `${present === 0 ? "None of this file's COPY/ADD sources" : `${absent.length} of this file's ${absent.length + present} COPY/ADD sources`} (${shown}) ${present === 0 ? 'is' : 'are not'} in ${quote(context.root)}, the folder read as the build context: the build most likely uses another folder (\`docker build -f path/Dockerfile <context>\`). Sizes of these copies are unknown; give the CLI \`--context DIR\` to read the right one.`,
    fixes: [],
  };
}

/** The steps of the stages the build runs: the target and, transitively, the stages it depends on. */
function builtSteps(model: DockerfileModel): Step[] {
  const start = model.target >= 0 ? model.target : model.stages.length - 1;
  if (start < 0) return [];
  const built = new Set<number>([start]);
  const queue = [start];
  while (queue.length) {
    const s = model.stages[queue.pop() as number];
    for (const d of s?.dependsOn ?? []) {
      if (built.has(d) || !model.stages[d]) continue;
      built.add(d);
      queue.push(d);
    }
  }
  const out: Step[] = [];
  for (const s of [...built].sort((a, b) => a - b)) for (const i of model.stages[s].steps) out.push(model.steps[i]);
  return out;
}

function at(step: Step): Pick<RuleFinding, 'line' | 'endLine' | 'column' | 'endColumn'> {
  return { line: step.line, endLine: step.endLine, column: step.column, endColumn: step.column + step.keyword.length };
}

function quote(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}
