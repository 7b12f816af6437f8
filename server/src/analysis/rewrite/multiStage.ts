// Splits a stage that builds from source into a builder stage and a runtime stage.
// The edits are small on purpose: the stage's FROM gets `AS build`, and after the last step that needs the
// toolchain a runtime stage is inserted (FROM the runtime image, the stage's ARG/ENV/WORKDIR, COPY --from of
// the artifacts to the same paths, then EXPOSE/LABEL/USER/CMD/ENTRYPOINT...). Everything after that point
// stays where the user wrote it and now belongs to the runtime stage, so CMD, ENTRYPOINT, EXPOSE, USER, ENV
// and WORKDIR keep working. Comments and blank lines are untouched.

import type { DockerfileModel, Step, TextEdit } from '../model';
import { commandsOf, programOf } from '../shell';
import { hasPackageOption, packageCommand, PROGRAM_PATTERN } from '../packageCommands';
import { findInStep, subcommandPattern } from './runEdits';
import { programsRun, runtimePackagesOf, type BuildPlan } from '../buildPlan';
import * as posix from 'node:path/posix';
import { deleteStep, insertAt, insertLinesAfter, insertLinesBefore, replaceStep, stepText } from './edits';
import { chooseRuntime, type RuntimeChoice } from './runtime';
import { builderWrites, type BuilderWrites } from './builderWrites';

export interface MultiStageRewrite {
  runtime: RuntimeChoice;
  builderName: string;
  edits: TextEdit[];
  /** Steps of the original stage that end up in the runtime stage (after the last toolchain step). */
  keptSteps: number[];
  notes: string[];
  /** The RUN lines the runtime stage adds before the user's own steps (packages installed again, setup replayed). */
  runtimeRuns: string[];
}

/** Instructions that only set image metadata; copied into the runtime stage as written. */
const METADATA = new Set([
  'EXPOSE',
  'LABEL',
  'VOLUME',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'CMD',
  'ENTRYPOINT',
  'SHELL',
  'MAINTAINER',
]);
/** What nginx's image brings itself; a front-end bundle's own start command does not apply there. */
const NGINX_DROPS = new Set(['CMD', 'ENTRYPOINT', 'USER', 'WORKDIR', 'HEALTHCHECK', 'SHELL', 'VOLUME', 'STOPSIGNAL']);

export type MultiStageResult = MultiStageRewrite | { declined: string };

export function multiStageRewrite(model: DockerfileModel, plan: BuildPlan): MultiStageResult {
  const split = splitPoint(model, plan);
  if ('declined' in split) return split;
  const { steps, fromStep, fromMatch, last } = split;

  runtimePackagesOf(model, plan);
  const frontend = plan.ecosystem === 'node-frontend';
  const before = steps.filter((s) => s.index > fromStep.index && s.index <= last.index);
  const after = steps.filter((s) => s.index > last.index);
  const keep = plan.artifacts.map((a) => a.path);
  const projectCopied = plan.ecosystem === 'python' && plan.artifacts.some((a) => a.dest !== '/usr/local/');
  const writes = builderWrites(before, keep, last.workdir, projectCopied, startScripts(steps, after, last));
  if (writes.declined) return { declined: writes.declined };
  if (frontend) writes.setup = [];
  const debianCommands =
    !plan.musl &&
    (plan.runtimePackages.length > 0 || writes.setup.length > 0 || after.some((s) => s.keyword === 'RUN'));
  const runtime = chooseRuntime(
    plan,
    !frontend && (runtimeNeedsShell(plan, steps, after) || writes.setup.length > 0),
    steps.some((s) => s.keyword === 'USER'),
    debianCommands,
  );
  const builderName = pickName(model);
  const notes = [...plan.notes];
  if (!runtime.shell && !runtime.image.includes(':'))
    notes.push(`${runtime.image} has no version tags: pin its digest`);
  if (plan.unknownDevPackages.length)
    notes.push(`check the run-time libraries of ${plan.unknownDevPackages.join(', ')}`);
  if (writes.carry.length)
    notes.push(`also copies ${writes.carry.join(', ')} from the builder (written there, or started by the image)`);

  const edits: TextEdit[] = [];
  edits.push(replaceStep(model, fromStep, [`${fromMatch[1]} AS ${builderName}${fromMatch[4]}`]));
  const input = { model, plan, runtime, builderName, alias: fromMatch[3], steps, before, after, last, writes };
  const stage = runtimeStage(input);
  // the new lines go below the last toolchain step: before the line after it, or at the end of the file
  edits.push(
    last.endLine < model.lines.length
      ? insertLinesBefore(model, last.endLine + 1, stage.lines)
      : insertLinesAfter(model, last.endLine, stage.lines),
  );
  if (plan.ecosystem === 'python') {
    const pipEdits = pipPrefixEdits(model, plan, before, writes.pythonRuns);
    if ('declined' in pipEdits) return pipEdits;
    for (const e of pipEdits.edits) edits.push(e);
  }
  if (frontend) {
    for (const e of nginxEdits(model, after, stage.exposed)) edits.push(e);
    notes.push('nginx serves the bundle on port 80');
  }
  return { runtime, builderName, edits, keptSteps: after.map((s) => s.index), notes, runtimeRuns: stage.runs };
}

/**
 * The stage's steps, its FROM (on one line, read as `FROM <image> [AS <name>] [# comment]`) and the last step that
 * needs the toolchain; null when the stage cannot be split (built FROM another stage, no artifacts).
 */
function splitPoint(
  model: DockerfileModel,
  plan: BuildPlan,
): { steps: Step[]; fromStep: Step; fromMatch: RegExpExecArray; last: Step } | { declined: string } {
  const stage = plan.stage;
  if (plan.artifacts.length === 0) return { declined: 'the build output could not be located from the Dockerfile' };
  const cannot = { declined: 'this stage builds FROM another stage or has a multi-line FROM' };
  if (stage.baseStage !== null) return cannot;
  const steps = stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  const fromStep = steps[0];
  if (!fromStep || fromStep.keyword !== 'FROM' || fromStep.line !== fromStep.endLine) return cannot;
  const fromLine = model.lines[fromStep.line - 1] ?? '';
  const fromMatch = /^(\s*FROM\s+.*?)(\s+AS\s+(\S+))?(\s*(#.*)?)$/i.exec(fromLine);
  const last = model.steps[plan.lastToolchainStep];
  if (!fromMatch || !last) return cannot;
  return { steps, fromStep, fromMatch, last };
}

/** The runtime stage runs a shell: RUN steps stay in it, packages are installed, or a command needs /bin/sh. */
function runtimeNeedsShell(plan: BuildPlan, steps: Step[], after: Step[]): boolean {
  return (
    after.some((s) => s.keyword === 'RUN' || s.keyword === 'SHELL' || s.keyword === 'ONBUILD') ||
    plan.runtimePackages.length > 0 ||
    shellForm(effective(steps, 'ENTRYPOINT')) ||
    (!effective(steps, 'ENTRYPOINT') && shellForm(effective(steps, 'CMD'))) ||
    steps.some((s) => s.keyword === 'HEALTHCHECK' && /^CMD\s+(?!\[)/i.test(s.args.replace(/^(\s*--\S+)+\s*/, '')))
  );
}

interface RuntimeStageInput {
  model: DockerfileModel;
  plan: BuildPlan;
  runtime: RuntimeChoice;
  builderName: string;
  /** The name the split stage had (`AS <alias>`), which the runtime stage takes over. */
  alias: string | undefined;
  steps: Step[];
  /** The stage's steps up to the last toolchain step (FROM excluded), and those after it. */
  before: Step[];
  after: Step[];
  last: Step;
  writes: BuilderWrites;
}

/**
 * The lines inserted after the last toolchain step: the rest of the build, then the runtime stage up to where the
 * user's own steps go on (FROM, ARG/ENV, WORKDIR, packages, the artifacts, the metadata). `exposed`: it has EXPOSE 80.
 */
function runtimeStage(x: RuntimeStageInput): { lines: string[]; exposed: boolean; runs: string[] } {
  const { model, plan, runtime, builderName, before, after, last, writes } = x;
  const frontend = plan.ecosystem === 'node-frontend';
  const lines: string[] = plan.builderCommands.map((c) => `RUN ${c}`);
  lines.push('');
  lines.push(`# runtime stage: ${runtime.reason}`);
  lines.push(`FROM ${runtime.image}${x.alias ? ` AS ${x.alias}` : ''}`);
  // loops, not push(...list): a step's text may have more lines than a call takes arguments
  for (const s of before)
    if (s.keyword === 'ARG' || (s.keyword === 'ENV' && !buildOnlyEnv(s)))
      for (const l of stepText(model, s)) lines.push(l);
  const workdir = after[0]?.workdir ?? last.workdir;
  if (!frontend && workdir !== '/') lines.push(`WORKDIR ${workdir}`);
  const runs: string[] = [];
  if (plan.runtimePackages.length) {
    runs.push(
      plan.musl
        ? `RUN apk add --no-cache ${plan.runtimePackages.join(' ')}`
        : `RUN apt-get update && apt-get install -y --no-install-recommends ${plan.runtimePackages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    );
  }
  // users, groups and folders the stage set up: made again, as root, before the copies that may name them
  for (const s of writes.setup) runs.push(stepText(model, s).join('\n'));
  for (const r of runs) for (const l of r.split('\n')) lines.push(l);
  if (!frontend && needsUserFiles(x)) lines.push(`COPY --from=${builderName} /etc/passwd /etc/group /etc/`);
  for (const a of plan.artifacts)
    lines.push(`COPY --from=${builderName}${chownOf(writes, a.path)} ${a.path} ${a.dest}`);
  for (const p of writes.carry) lines.push(`COPY --from=${builderName}${chownOf(writes, p)} ${p} ${p}`);
  const exposed = copyMetadata(model, before, frontend, lines);
  const lastUser = [...before].reverse().find((s) => s.keyword === 'USER');
  if (lastUser && !frontend) for (const l of stepText(model, lastUser)) lines.push(l);
  return { lines, exposed, runs };
}

/** ` --chown=OWNER` when the builder's last chown of `path`, of a folder above it or below it named OWNER. */
function chownOf(writes: BuilderWrites, path: string): string {
  const p = path.replace(/\/$/, '');
  const hit = [...writes.chowns]
    .reverse()
    .find((c) => c.path === p || p.startsWith(c.path + '/') || c.path.startsWith(p + '/'));
  return hit ? ` --chown=${hit.owner}` : '';
}

/**
 * A user the runtime image does not know, named by USER or by a chown the copies keep, that no step of the runtime
 * stage creates: copy the builder's user files.
 */
function needsUserFiles({ steps, after, runtime, writes }: RuntimeStageInput): boolean {
  const named = [
    ...steps.filter((s) => s.keyword === 'USER').map((s) => s.words[0] ?? ''),
    ...writes.chowns.map((c) => c.owner),
  ]
    .map((u) => u.split(/[:.]/)[0])
    .filter((u) => u !== '' && !/^(root|\d+)$/.test(u) && !u.includes('$') && !runtime.users.includes(u));
  const createdLater = [...after, ...writes.setup].some((s) =>
    commandsOf(s).some((c) => ['useradd', 'adduser', 'groupadd', 'addgroup'].includes(programOf(c))),
  );
  return named.length > 0 && !createdLater;
}

/**
 * The metadata instructions before the split, copied into the runtime stage (for a front-end, those nginx brings
 * itself left out and any EXPOSE made port 80). Returns whether it wrote EXPOSE 80.
 */
function copyMetadata(model: DockerfileModel, before: Step[], frontend: boolean, lines: string[]): boolean {
  let exposed = false;
  for (const s of before) {
    if (s.keyword === 'USER' && !frontend) continue;
    if (!METADATA.has(s.keyword)) continue;
    if (frontend && NGINX_DROPS.has(s.keyword)) continue;
    if (frontend && s.keyword === 'EXPOSE') {
      if (!exposed) lines.push('EXPOSE 80');
      exposed = true;
      continue;
    }
    for (const l of stepText(model, s)) lines.push(l);
  }
  return exposed;
}

/** A front-end's steps after the split under nginx: what nginx brings itself deleted, one EXPOSE 80 kept. */
function nginxEdits(model: DockerfileModel, after: Step[], exposed: boolean): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const s of after) {
    if (NGINX_DROPS.has(s.keyword)) edits.push(deleteStep(model, s));
    else if (s.keyword === 'EXPOSE') {
      edits.push(exposed ? deleteStep(model, s) : replaceStep(model, s, ['EXPOSE 80']));
      exposed = true;
    }
  }
  return edits;
}

/**
 * The scripts CMD, ENTRYPOINT and HEALTHCHECK start that the builder has (a path, resolved against the WORKDIR the
 * image starts in; a file the runtime stage's own steps bring is left to them).
 */
function startScripts(steps: Step[], after: Step[], last: Step): string[] {
  const workdir = after[after.length - 1]?.workdir ?? last.workdir;
  const starts = steps.filter((s) => ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'].includes(s.keyword));
  const laterCopies = after.filter((s) => (s.keyword === 'COPY' || s.keyword === 'ADD') && s.destination);
  return programsRun(starts)
    .scripts.filter((p) => p.includes('/'))
    .map((p) => posix.resolve(workdir, p))
    .filter(
      (p) =>
        !laterCopies.some((c) => c.destination === p || (c.destination?.endsWith('/') && p.startsWith(c.destination))),
    );
}

function effective(steps: Step[], keyword: string): Step | undefined {
  return [...steps].reverse().find((s) => s.keyword === keyword);
}

/** Needs /bin/sh: shell form, or an exec form that starts a shell itself (`["sh", "-c", ...]`). */
function shellForm(step: Step | undefined): boolean {
  if (step === undefined) return false;
  if (step.execForm) return /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash)$/.test(step.words[0] ?? '');
  return step.args.trim() !== '';
}

/** ENV that only steers the build (CGO_ENABLED, GOOS, RUSTFLAGS, ...): not repeated in the runtime stage. */
const BUILD_ENV =
  /^(CGO_ENABLED|GOOS|GOARCH|GOARM|GOFLAGS|GOPROXY|GOPRIVATE|GO111MODULE|GOCACHE|GOMODCACHE|CARGO_\w+|RUSTFLAGS|RUSTUP_\w+|MAVEN_\w+|GRADLE_\w+|DOTNET_CLI_\w+|NUGET_\w+|DEBIAN_FRONTEND|PIP_\w+|NPM_CONFIG_\w+|CC|CXX|CFLAGS|CXXFLAGS|LDFLAGS)$/;

function buildOnlyEnv(step: Step): boolean {
  const keys =
    step.words.length >= 2 && !step.words[0].includes('=') ? [step.words[0]] : step.words.map((w) => w.split('=')[0]);
  return keys.length > 0 && keys.every((k) => BUILD_ENV.test(k));
}

function pickName(model: DockerfileModel): string {
  const taken = new Set(model.stages.map((s) => s.name));
  for (const n of ['build', 'builder', 'build-stage']) if (!taken.has(n)) return n;
  let i = 2;
  while (taken.has(`build${i}`)) i++;
  return `build${i}`;
}

/**
 * `pip install ...` -> `pip install --prefix=/install ...` in every step of the builder, so the packages land
 * in one folder the runtime copies to /usr/local (where the python image's interpreter looks). When the builder runs
 * Python programs of the project after that (`python manage.py collectstatic`), an ENV before the first install puts
 * /install on PATH and PYTHONPATH for them. Declined when a pip install already chooses its own location, its text
 * cannot be matched to the commands, or the Python version (the site-packages folder) is not in the tag.
 */
function pipPrefixEdits(
  model: DockerfileModel,
  plan: BuildPlan,
  steps: Step[],
  pythonRuns: Step[],
): { edits: TextEdit[] } | { declined: string } {
  const edits: TextEdit[] = [];
  let first: Step | undefined;
  for (const step of steps) {
    if (step.keyword !== 'RUN') continue;
    const installs = commandsOf(step)
      .map(packageCommand)
      .filter((pc) => pc?.tool === 'pip' && pc.sub === 'install');
    if (installs.length === 0) continue;
    if (installs.some((pc) => pc && hasPackageOption(pc, '--prefix', '--target', '--user', '--root')))
      return { declined: `the pip install at line ${step.line} chooses its own location` };
    const at = findInStep(model, step, subcommandPattern(PROGRAM_PATTERN.pip, 'install'));
    if (step.execForm || at.length !== installs.length)
      return { declined: `the pip install at line ${step.line} is written in a form the rewrite does not edit` };
    first ??= step;
    for (const m of at) edits.push(insertAt(m.endLine, m.endColumn, ' --prefix=/install'));
  }
  if (pythonRuns.length && first) {
    if (!plan.version)
      return {
        declined: `line ${pythonRuns[0].line} runs Python after pip, and the Python version (where /install keeps the packages) is not in the tag`,
      };
    const env = `ENV PATH=/install/bin:$PATH PYTHONPATH=/install/lib/python${plan.version}/site-packages`;
    edits.push(insertLinesBefore(model, first.line, [env]));
  }
  return { edits };
}
