// Fix planner for copy-before-install: rewrites a stage so the dependency manifests are copied first, the
// install (or an explicit resolve step for builds that resolve implicitly) runs, then the sources are copied.
// Which manifests: those present in the build context listing when known, else the files the command names or
// the ecosystem's conventional names. Flags (--chown, --chmod, --link), WORKDIR-relative destinations and
// comments are kept. The rule (rules/copy-before-install.ts) detects; planCopyFirst is the one entry point.

import * as posix from 'node:path/posix';
import {
  dependencyCommand,
  manifestsFor,
  resolveCommandFor,
  type DependencyCommand,
  type EcosystemId,
} from '../ecosystems';
import type { Fix, Step, TextEdit } from '../model';
import { commandsOf, hasOption, operands, programOf, type ShellCommand } from '../shell';
import { hasPackageOption, nodeGlobal, packageCommand } from '../packageCommands';
import { bringsOrdinaryEdit } from '../ordinaryEdit';
import { contextSources, type ContextSource } from '../sources';
import { contextPath } from '../paths';
import { withoutTrailing } from '../text';
import { formatSize } from '../units';
import type { RuleContext } from '../rules/rule';
import { depsOnlyForm, planSplit } from './splitRun';
import { filesUnder, resolveFirstCommand, resolveFirstFiles } from './resolveFirst';
import {
  attachedCommentStart,
  blockLines,
  indentOf,
  insertLinesAfter,
  insertLinesBefore,
  keywordCase,
  replaceLines,
} from './edits';

export const ECOSYSTEM_LABEL: Record<EcosystemId, string> = {
  npm: 'npm',
  yarn: 'Yarn',
  pnpm: 'pnpm',
  pip: 'pip',
  poetry: 'Poetry',
  pipenv: 'Pipenv',
  uv: 'uv',
  bundler: 'Bundler',
  composer: 'Composer',
  go: 'Go modules',
  cargo: 'Cargo',
  maven: 'Maven',
  gradle: 'Gradle',
  dotnet: 'NuGet (dotnet)',
};

/** Commands that do not read the project's sources: steps made only of these may run before the sources arrive. */
const SOURCE_FREE = new Set([
  'apt-get',
  'apt',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'zypper',
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'mkdir',
  'ln',
  'echo',
  'set',
  'export',
  'true',
  ':',
  'printf',
  'locale-gen',
  'update-ca-certificates',
  'corepack',
  'gem',
  'curl',
  'wget',
  'apt-key',
  'gpg',
  'dpkg',
  'usermod',
  'chsh',
  'git',
  'update-alternatives',
]);

function sourceFree(cmd: ShellCommand): boolean {
  const p = programOf(cmd);
  if (SOURCE_FREE.has(p)) return p !== 'git' || operands(cmd, false)[0] === 'config';
  const sub = operands(cmd, false)[0];
  if (p === 'rm') return operands(cmd, false).every((a) => /^\/(var|tmp|root)\//.test(a));
  const pc = packageCommand(cmd);
  if (pc?.tool === 'npm' || pc?.tool === 'pnpm' || pc?.tool === 'yarn')
    return ['config', 'cache', 'set'].includes(pc.sub ?? '') || nodeGlobal(pc);
  if (pc?.tool === 'pip') {
    const d = dependencyCommand(cmd);
    return (
      d === null && !hasPackageOption(pc, '--editable') && !pc.operands.some((w) => w === '.' || w.startsWith('./'))
    );
  }
  if (/^python[0-9.]*$/.test(p) && cmd.words[1] === '-m' && cmd.words[2] === 'venv') return true;
  if (p === 'virtualenv') return true;
  if (p === 'composer') return ['config', 'self-update', 'global'].includes(sub ?? '');
  // user-level settings (--local writes poetry.toml into the project, where the sources may bring their own)
  if (p === 'poetry') return sub === 'config' && !hasOption(cmd, '--local');
  return false;
}

/** A finding of copy-before-install: the dependency command, the RUN holding it, the source copies before it. */
export interface CopyFirstProblem {
  dep: DependencyCommand;
  install: Step;
  copies: Step[];
  /** Set by the planner when it offers no fix for a reason the finding should tell. */
  why?: string;
}

/** The folder the dependency command runs in: the step's WORKDIR, moved by `cd` commands before it. */
function runDir(step: Step, dep: DependencyCommand): string | null {
  let dir = step.workdir;
  for (const c of commandsOf(step)) {
    if (c === dep.command) return dir;
    if (programOf(c) === 'cd') {
      const target = operands(c, false)[0];
      if (!target || target.includes('$') || target.startsWith('~')) return null;
      dir = posix.resolve(dir, target);
    }
  }
  return dir;
}

/** Is this written destination relative to the WORKDIR? */
function relativeDestination(step: Step): boolean {
  const w = step.words[step.words.length - 1] ?? '';
  return step.words.length >= 2 && !w.startsWith('/') && !w.startsWith('$');
}

function copyFlags(step: Step): string {
  return step.flags
    .filter((f) => f.name === 'chown' || f.name === 'chmod' || f.name === 'link')
    .map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`))
    .map((s) => s + ' ')
    .join('');
}

/** A destination for `target` (absolute folder) written relative to `workdir` when it is inside it. */
function destinationText(target: string, workdir: string, preferAbsolute: boolean): string {
  if (target === workdir) return './';
  if (!preferAbsolute && target.startsWith(workdir === '/' ? '/' : workdir + '/'))
    return posix.relative(workdir, target) + '/';
  return target.endsWith('/') ? target : target + '/';
}

interface ManifestPlan {
  /** New COPY lines, one per folder of manifests. */
  lines: string[];
  /** A manifest-only COPY written after the first source copy, to move up with the new lines. */
  move?: Step;
}

/**
 * The COPY lines that bring in the manifests the dependency command reads, placed where `first` stands.
 * [] when the manifests are already copied before the source copy; null when we cannot tell which files.
 */
function planManifests(ctx: RuleContext, p: CopyFirstProblem, dir: string, first: Step): ManifestPlan | null {
  const { model } = ctx;
  const stageSteps = model.stages[p.install.stage].steps.map((i) => model.steps[i]);
  // a manifest-only COPY before the install already brings them (an install moves below it; a resolve step
  // added before the sources needs it moved up when it comes after them)
  const manifestCopy = stageSteps.find(
    (s) =>
      s.index < p.install.index &&
      (s.keyword === 'COPY' || s.keyword === 'ADD') &&
      !s.copyFrom &&
      (() => {
        const srcs = contextSources(s, ctx.facts.context);
        return srcs.length > 0 && srcs.every((x) => x.kind === 'manifest') && coversDir(s, dir);
      })(),
  );
  if (manifestCopy)
    return manifestCopy.index < first.index || p.dep.kind === 'install'
      ? { lines: [] }
      : { lines: [], move: manifestCopy };
  // find the source copy that puts files at `dir`, and the context folder they come from
  const covering = p.copies.find((c) => coversDir(c, dir));
  if (!covering) return null;
  const srcs: ContextSource[] = contextSources(covering, ctx.facts.context);
  if (srcs.length !== 1 || (srcs[0].kind !== 'context' && srcs[0].kind !== 'folder')) return null;
  const dest = withoutTrailing(covering.destination ?? '', '/') || '/';
  const ctxDir = contextPath(posix.join(srcs[0].path || '.', posix.relative(dest, dir) || '.'));
  // an empty or truncated listing tells us nothing about which manifests exist
  const context =
    ctx.facts.context && !ctx.facts.context.truncated && ctx.facts.context.files.length > 0
      ? ctx.facts.context
      : undefined;
  const present = context
    ? context.files
        .map((f) => f.path)
        .filter((f) =>
          ctxDir === '' ? !f.includes('/') : f.startsWith(ctxDir + '/') && !f.slice(ctxDir.length + 1).includes('/'),
        )
        .map((f) => f.slice(f.lastIndexOf('/') + 1))
    : null;
  let names: string[] | null;
  if (p.dep.ecosystem === 'pip') {
    // requirement files the command names, relative to where it runs
    const named = p.dep.namedManifests.map((n) => posix.normalize(n));
    if (named.some((n) => n.startsWith('..') || n.startsWith('/') || n.includes('$'))) return null;
    if (context && !named.every((n) => context.files.some((f) => f.path === contextPath(posix.join(ctxDir || '.', n)))))
      return null;
    names = named;
  } else {
    names = manifestsFor(p.dep.ecosystem, [], present);
  }
  if (!names || names.length === 0) return null;
  // wrapper scripts, version catalogs, toolchain files the resolve step also reads (resolveFirst.ts)
  const more = resolveFirstFiles(p.dep, filesUnder(context, ctxDir));
  if (!Array.isArray(more)) {
    p.why = more.why;
    return null;
  }
  names = [...names, ...more];
  // one COPY per folder, so the files land where the install expects them
  const byFolder = new Map<string, string[]>();
  for (const n of names) {
    // a folder (`gradle/`) is copied whole into the folder of its name
    const folder = n.endsWith('/') ? n.slice(0, -1) : posix.dirname(n) === '.' ? '' : posix.dirname(n);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), withoutTrailing(n, '/')]);
  }
  const keyword = keywordCase(model, first, 'COPY');
  const flags = copyFlags(covering);
  const indent = indentOf(model, first);
  const preferAbsolute = !relativeDestination(covering);
  const lines = [...byFolder].map(([folder, files]) => {
    const from = files.map((f) => (ctxDir ? `${ctxDir}/${f}` : f));
    const target = folder ? posix.join(dir, folder) : dir;
    return `${indent}${keyword} ${flags}${from.join(' ')} ${destinationText(target, first.workdir, preferAbsolute)}`;
  });
  return { lines };
}

/** Does this COPY put files into folder `dir` (its destination is `dir` or above it)? */
function coversDir(step: Step, dir: string): boolean {
  const dest = withoutTrailing(step.destination ?? '', '/') || '/';
  return dir === dest || dir.startsWith(dest === '/' ? '/' : dest + '/');
}

/** The quick fix for one finding of copy-before-install: [] when no fix is safe. */
export function planCopyFirst(ctx: RuleContext, p: CopyFirstProblem): Fix[] {
  const { model } = ctx;
  const { dep, install } = p;
  if (dep.needsSources && !depsOnlyForm(dep)) return [];
  const dir = runDir(install, dep);
  if (dir === null) return [];
  const first = p.copies[0];
  const plan = planManifests(ctx, p, dir, first);
  if (!plan) return [];
  const start = attachedCommentStart(model, first);

  if (dep.kind === 'build') {
    // keep the order; add the manifests and an explicit resolve step before the sources arrive
    const own = resolveFirstCommand(dep);
    if (own !== null && typeof own !== 'string') {
      p.why = own.why;
      return [];
    }
    const resolve = own ?? resolveCommandFor(dep.ecosystem, programOf(dep.command));
    if (!resolve) return [];
    const command = resolve;
    const mounts = install.flags
      .filter((f) => f.name === 'mount' && f.value && /(^|,)type=cache(,|$)/.test(f.value))
      .map((f) => `--mount=${f.value} `)
      .join('');
    const cd = dir === first.workdir ? '' : `cd ${dir} && `;
    const run = `${indentOf(model, first)}${keywordCase(model, first, 'RUN')} ${mounts}${cd}${command}`;
    const moved = plan.move ? blockLines(model, plan.move) : [];
    const edits = [insertLinesBefore(model, start, [...plan.lines, ...moved, run])];
    if (plan.move) edits.push(replaceLines(model, attachedCommentStart(model, plan.move), plan.move.endLine, []));
    return [
      {
        title: `Copy ${ECOSYSTEM_LABEL[dep.ecosystem]} manifests and run \`${command}\` before the sources`,
        preferred: true,
        edits,
      },
    ];
  }

  // an install: move the source copies below it
  const stageSteps = model.stages[install.stage].steps.map((i) => model.steps[i]);
  const between = stageSteps.filter((s) => s.index > first.index && s.index < install.index && !p.copies.includes(s));
  for (const s of between) {
    if (s.keyword === 'VOLUME' || s.keyword === 'ONBUILD' || s.keyword === 'SHELL') return [];
    if (s.keyword === 'RUN' && !commandsOf(s).every(sourceFree)) return [];
    if ((s.keyword === 'COPY' || s.keyword === 'ADD') && !s.copyFrom && bringsOrdinaryEdit(s, ctx.facts)) return [];
  }
  // the install step must only install: a build in the same RUN needs the sources (split it: splitRun.ts)
  const onlyInstalls = commandsOf(install).every(
    (c) => c === dep.command || programOf(c) === 'cd' || sourceFree(c) || isInstallOnly(c),
  );
  const split = planSplit(model, install, dep, onlyInstalls, sourceFree);
  if (split && 'why' in split) {
    p.why = split.why;
    return [];
  }
  // a moved COPY with a WORKDIR-relative destination must land in the same WORKDIR
  if (p.copies.some((c) => c.workdir !== install.workdir && relativeDestination(c))) return [];
  const edits: TextEdit[] = [];
  p.copies.forEach((c, k) => {
    const from = attachedCommentStart(model, c);
    edits.push(replaceLines(model, from, c.endLine, k === 0 ? plan.lines : []));
  });
  const moved = p.copies.flatMap((c) => blockLines(model, c));
  edits.push(
    split
      ? replaceLines(model, install.line, install.endLine, [...split.before, ...moved, ...split.after])
      : insertLinesAfter(model, install.endLine, moved),
  );
  // the benefit, in the title: the install (and its layer) comes from the cache after a source edit
  const size = ctx.sizes[install.index];
  const benefit = `source edits no longer re-run line ${install.line}${size ? ` (${formatSize(size)})` : ''}`;
  return [
    {
      title: split
        ? `Copy ${ECOSYSTEM_LABEL[dep.ecosystem]} manifests first, run \`${split.command}\`, then copy the rest and run what needs it: ${benefit}`
        : plan.lines.length
          ? `Copy ${ECOSYSTEM_LABEL[dep.ecosystem]} manifests first, install, then copy the rest: ${benefit}`
          : `Copy the sources after the ${ECOSYSTEM_LABEL[dep.ecosystem]} install: ${benefit}`,
      preferred: true,
      edits,
    },
  ];
}

function isInstallOnly(c: ShellCommand): boolean {
  const d = dependencyCommand(c);
  return d !== null && d.kind === 'install' && !d.needsSources;
}
