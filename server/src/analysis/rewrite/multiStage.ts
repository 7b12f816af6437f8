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
import { runtimePackagesOf, type BuildPlan } from '../buildPlan';
import { deleteStep, insertAt, insertLinesAfter, insertLinesBefore, replaceStep, stepText } from './edits';
import { chooseRuntime, type RuntimeChoice } from './runtime';

export interface MultiStageRewrite {
  runtime: RuntimeChoice;
  builderName: string;
  edits: TextEdit[];
  /** Steps of the original stage that end up in the runtime stage (after the last toolchain step). */
  keptSteps: number[];
  notes: string[];
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

export function multiStageRewrite(model: DockerfileModel, plan: BuildPlan): MultiStageRewrite | null {
  const split = splitPoint(model, plan);
  if (!split) return null;
  const { steps, fromStep, fromMatch, last } = split;

  runtimePackagesOf(model, plan);
  const frontend = plan.ecosystem === 'node-frontend';
  const before = steps.filter((s) => s.index > fromStep.index && s.index <= last.index);
  const after = steps.filter((s) => s.index > last.index);
  const runtime = chooseRuntime(
    plan,
    !frontend && runtimeNeedsShell(plan, steps, after),
    steps.some((s) => s.keyword === 'USER'),
  );
  const builderName = pickName(model);
  const notes = [...plan.notes];
  if (!runtime.shell && !runtime.image.includes(':'))
    notes.push(`${runtime.image} has no version tags: pin its digest`);
  if (plan.unknownDevPackages.length)
    notes.push(`check the run-time libraries of ${plan.unknownDevPackages.join(', ')}`);

  const edits: TextEdit[] = [];
  edits.push(replaceStep(model, fromStep, [`${fromMatch[1]} AS ${builderName}${fromMatch[4]}`]));
  const stage = runtimeStage({ model, plan, runtime, builderName, alias: fromMatch[3], steps, before, after, last });
  // the new lines go below the last toolchain step: before the line after it, or at the end of the file
  edits.push(
    last.endLine < model.lines.length
      ? insertLinesBefore(model, last.endLine + 1, stage.lines)
      : insertLinesAfter(model, last.endLine, stage.lines),
  );
  if (plan.ecosystem === 'python') {
    const pipEdits = pipPrefixEdits(model, before);
    if (pipEdits === null) return null;
    for (const e of pipEdits) edits.push(e);
  }
  if (frontend) {
    for (const e of nginxEdits(model, after, stage.exposed)) edits.push(e);
    notes.push('nginx serves the bundle on port 80');
  }
  return { runtime, builderName, edits, keptSteps: after.map((s) => s.index), notes };
}

/**
 * The stage's steps, its FROM (on one line, read as `FROM <image> [AS <name>] [# comment]`) and the last step that
 * needs the toolchain; null when the stage cannot be split (built FROM another stage, no artifacts).
 */
function splitPoint(
  model: DockerfileModel,
  plan: BuildPlan,
): { steps: Step[]; fromStep: Step; fromMatch: RegExpExecArray; last: Step } | null {
  const stage = plan.stage;
  if (stage.baseStage !== null || plan.artifacts.length === 0) return null;
  const steps = stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  const fromStep = steps[0];
  if (!fromStep || fromStep.keyword !== 'FROM' || fromStep.line !== fromStep.endLine) return null;
  const fromLine = model.lines[fromStep.line - 1] ?? '';
  const fromMatch = /^(\s*FROM\s+.*?)(\s+AS\s+(\S+))?(\s*(#.*)?)$/i.exec(fromLine);
  if (!fromMatch) return null;
  const last = model.steps[plan.lastToolchainStep];
  if (!last) return null;
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
}

/**
 * The lines inserted after the last toolchain step: the rest of the build, then the runtime stage up to where the
 * user's own steps go on (FROM, ARG/ENV, WORKDIR, packages, the artifacts, the metadata). `exposed`: it has EXPOSE 80.
 */
function runtimeStage(x: RuntimeStageInput): { lines: string[]; exposed: boolean } {
  const { model, plan, runtime, builderName, before, after, last } = x;
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
  if (plan.runtimePackages.length) {
    lines.push(
      plan.musl
        ? `RUN apk add --no-cache ${plan.runtimePackages.join(' ')}`
        : `RUN apt-get update && apt-get install -y --no-install-recommends ${plan.runtimePackages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    );
  }
  if (!frontend && needsUserFiles(x)) lines.push(`COPY --from=${builderName} /etc/passwd /etc/group /etc/`);
  for (const a of plan.artifacts) lines.push(`COPY --from=${builderName} ${a.path} ${a.dest}`);
  const exposed = copyMetadata(model, before, frontend, lines);
  const lastUser = [...before].reverse().find((s) => s.keyword === 'USER');
  if (lastUser && !frontend) for (const l of stepText(model, lastUser)) lines.push(l);
  return { lines, exposed };
}

/** USER names a user the runtime image does not know and no later step creates: copy the builder's user files. */
function needsUserFiles({ steps, after, runtime }: RuntimeStageInput): boolean {
  const named = steps
    .filter((s) => s.keyword === 'USER')
    .map((s) => (s.words[0] ?? '').split(':')[0])
    .filter((u) => u !== '' && !/^(root|\d+)$/.test(u) && !u.includes('$') && !runtime.users.includes(u));
  const createdLater = after.some((s) =>
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
 * in one folder the runtime copies to /usr/local (where the python image's interpreter looks). Null when a
 * pip install already chooses its own location, or its text cannot be matched to the commands.
 */
function pipPrefixEdits(model: DockerfileModel, steps: Step[]): TextEdit[] | null {
  const edits: TextEdit[] = [];
  for (const step of steps) {
    if (step.keyword !== 'RUN') continue;
    const installs = commandsOf(step)
      .map(packageCommand)
      .filter((pc) => pc?.tool === 'pip' && pc.sub === 'install');
    if (installs.length === 0) continue;
    if (installs.some((pc) => pc && hasPackageOption(pc, '--prefix', '--target', '--user', '--root'))) return null;
    const at = findInStep(model, step, subcommandPattern(PROGRAM_PATTERN.pip, 'install'));
    if (step.execForm || at.length !== installs.length) return null;
    for (const m of at) edits.push(insertAt(m.endLine, m.endColumn, ' --prefix=/install'));
  }
  return edits;
}
