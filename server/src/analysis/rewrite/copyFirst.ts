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
import type { BuildContextFacts, Fix, Step, TextEdit } from '../model';
import { workspaceOf, type WorkspaceRead } from '../workspaces';
import { commandsOf, hasOption, operands, programOf, type ShellCommand } from '../shell';
import { hasPackageOption, nodeGlobal, packageCommand } from '../packageCommands';
import { bringsOrdinaryEdit } from '../ordinaryEdit';
import { contextSources, type ContextSource } from '../sources';
import { contextPath, isUnder } from '../paths';
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
  if (p === 'bundle' || p === 'bundler') return sub === 'config';
  // user-level settings (--local writes poetry.toml into the project, where the sources may bring their own)
  if (p === 'poetry') return sub === 'config' && !hasOption(cmd, '--local');
  return false;
}

/** A finding of copy-before-install: the dependency command, the RUN holding it, the source copies before it. */
export interface CopyFirstProblem {
  dep: DependencyCommand;
  install: Step;
  copies: Step[];
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

/**
 * Folder `target` (absolute, as resolved) written as the destination of a COPY placed at `at`: relative to its
 * WORKDIR when the source copy `covering` wrote a relative destination, else from covering's destination as
 * written, so variables such as ${GOPATH} stay verbatim. null when it cannot be written from those.
 */
function destinationText(target: string, at: Step, covering: Step): string | null {
  const workdir = at.workdir;
  if (target === workdir) return './';
  if (relativeDestination(covering) && target.startsWith(workdir === '/' ? '/' : workdir + '/'))
    return posix.relative(workdir, target) + '/';
  const written = covering.words[covering.words.length - 1] ?? '';
  if (!written.includes('$')) return target.endsWith('/') ? target : target + '/';
  const rel = posix.relative(withoutTrailing(covering.destination ?? '', '/') || '/', target);
  if (rel.startsWith('..') || (!written.startsWith('$') && !written.startsWith('/'))) return null;
  return (withoutTrailing(written, '/') || '/') + (rel ? `/${rel}` : '') + '/';
}

interface ManifestPlan {
  /** New COPY lines, one per folder of manifests. */
  lines: string[];
  /** A manifest-only COPY written after the first source copy, to move up with the new lines. */
  move?: Step;
  /** The install folder as a `cd` target from the first source copy's WORKDIR (variables kept as written). */
  dirText?: string;
}

/**
 * The COPY lines that bring in the manifests the dependency command reads, placed where `first` stands.
 * [] when the manifests are already copied before the source copy; null when we cannot tell which files;
 * a string when we know why not (said in the finding).
 */
function planManifests(ctx: RuleContext, p: CopyFirstProblem, dir: string, first: Step): ManifestPlan | string | null {
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
  if (!covering) return insideInstallDir(p.copies, dir);
  const srcs: ContextSource[] = contextSources(covering, ctx.facts.context);
  if (srcs.length !== 1 || (srcs[0].kind !== 'context' && srcs[0].kind !== 'folder')) return null;
  // a variable in the destination must mean the same where the new lines go
  if (covering !== first && covering.args.includes('$') && stageSteps.some((s) => isDefinition(s, first, covering)))
    return null;
  const dest = withoutTrailing(covering.destination ?? '', '/') || '/';
  const ctxDir = contextPath(posix.join(srcs[0].path || '.', posix.relative(dest, dir) || '.'));
  const manifests = manifestNames(ctx, p, ctxDir);
  if (manifests === null || typeof manifests === 'string') return manifests;
  // wrapper scripts, version catalogs, toolchain files the resolve step also reads (resolveFirst.ts)
  // (filesUnder: null for an empty or truncated listing, as for none)
  const more = resolveFirstFiles(p.dep, filesUnder(ctx.facts.context, ctxDir));
  if (!Array.isArray(more)) return more.why;
  const names = [...manifests, ...more];
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
  const lines: string[] = [];
  for (const [folder, files] of byFolder) {
    const from = files.map((f) => (ctxDir ? `${ctxDir}/${f}` : f));
    const to = destinationText(folder ? posix.join(dir, folder) : dir, first, covering);
    if (to === null) return null;
    lines.push(`${indent}${keyword} ${flags}${from.join(' ')} ${to}`);
  }
  const dirText = destinationText(dir, first, covering) ?? undefined;
  return { lines, dirText: dirText && (dirText === './' ? dirText : withoutTrailing(dirText, '/')) };
}

/** An ARG or ENV between the first source copy and a later one (it may change what a variable means). */
function isDefinition(s: Step, first: Step, covering: Step): boolean {
  return (s.keyword === 'ARG' || s.keyword === 'ENV') && s.index > first.index && s.index < covering.index;
}

/** Names of the files in context folder `ctxDir` (not below it). */
function filesIn(context: BuildContextFacts, ctxDir: string): string[] {
  return context.files
    .map((f) => f.path)
    .filter((f) =>
      ctxDir === '' ? !f.includes('/') : f.startsWith(ctxDir + '/') && !f.slice(ctxDir.length + 1).includes('/'),
    )
    .map((f) => f.slice(f.lastIndexOf('/') + 1));
}

/**
 * The manifests to copy, relative to the install's context folder `ctxDir`: those of the listing when it is
 * known (workspace members' included), else the names the command or the ecosystem gives, optional ones as
 * globs. null when we cannot tell; a string says why not.
 */
function manifestNames(ctx: RuleContext, p: CopyFirstProblem, ctxDir: string): string[] | string | null {
  const listing = ctx.facts.context;
  // an empty or truncated listing tells us nothing about which manifests exist
  const context = listing && !listing.truncated && listing.files.length > 0 ? listing : undefined;
  const present = context ? filesIn(context, ctxDir) : null;
  const eco = p.dep.ecosystem;
  if (eco === 'pip') {
    // requirement files the command names, relative to where it runs
    const named = p.dep.namedManifests.map((n) => posix.normalize(n));
    if (named.some((n) => n.startsWith('..') || n.startsWith('/') || n.includes('$'))) return null;
    if (context && !named.every((n) => context.files.some((f) => f.path === contextPath(posix.join(ctxDir || '.', n)))))
      return null;
    return named.length > 0 ? named : null;
  }
  const ws: WorkspaceRead = listing ? workspaceOf(listing, ctxDir, eco) : { kind: 'none' };
  if (ws.kind === 'unknown') return `a workspace, and ${ws.why}`;
  const members = ws.kind === 'members' ? ws.folders : [];
  if (eco === 'cargo' && members.length > 0)
    return `a Cargo workspace: its ${members.length} members need their sources before cargo reads them`;
  const root =
    eco === 'go' && ws.kind === 'members' && present
      ? ['go.work', ...['go.work.sum', 'go.mod', 'go.sum'].filter((n) => present.includes(n))]
      : manifestsFor(eco, [], present);
  if (!root || root.length === 0) return null;
  const scripts = scriptsNeedingSources(ctx, p, ctxDir, members);
  if (scripts) return scripts;
  const memberFiles = members.flatMap((m) =>
    (eco === 'go' ? ['go.mod', 'go.sum'] : ['package.json'])
      .map((n) => `${m}/${n}`)
      .filter((n) => context?.files.some((f) => f.path === (ctxDir ? `${ctxDir}/${n}` : n))),
  );
  return [...root, ...memberFiles, ...installTimeFiles(eco, ctxDir, context)];
}

/** Install scripts known to read nothing the manifests do not bring (patch-package reads patches/, copied too). */
const SOURCE_FREE_SCRIPTS = new Set([
  'patch-package',
  'npx patch-package',
  // only-allow checks which package manager runs the install
  'npx only-allow pnpm',
  'npx only-allow npm',
  'npx only-allow yarn',
]);

/**
 * Why a Node install cannot run before the sources: a lifecycle script it runs (postinstall, prepare ...) of the
 * package or a workspace member may read them. null when none does, when the install skips scripts, or when the
 * scripts were not read at all (facts without them).
 */
function scriptsNeedingSources(
  ctx: RuleContext,
  p: CopyFirstProblem,
  ctxDir: string,
  members: string[],
): string | null {
  const listing = ctx.facts.context;
  const known = listing?.installScripts;
  if (!known || !['npm', 'yarn', 'pnpm'].includes(p.dep.ecosystem) || hasOption(p.dep.command, '--ignore-scripts'))
    return null;
  // an empty listing (a folder not on disk, an unsaved file) says as little as none: like a file analysed alone
  if (listing.files.length === 0) return null;
  const at = (folder: string) => [ctxDir, folder, 'package.json'].filter(Boolean).join('/');
  for (const file of ['', ...members].map(at)) {
    // a manifest the listing does not have runs no script here (the install fails on its own, as it did before)
    if (!listing.files.some((f) => f.path === file)) continue;
    const scripts = known[file];
    if (!scripts) return `${file} was not read, so the scripts its install runs are unknown`;
    for (const [name, command] of Object.entries(scripts)) {
      if (SOURCE_FREE_SCRIPTS.has(command.trim())) continue;
      const shown = command.length > 40 ? command.slice(0, 37) + '...' : command;
      return `${file} runs its "${name}" script at install (\`${shown}\`), which may need the sources (add --ignore-scripts to the install and run it after the sources are copied)`;
    }
  }
  return null;
}

/** Folders a Node install reads besides the manifests: Yarn 2+ releases and plugins, patches applied at install. */
const NODE_INSTALL_FOLDERS = ['.yarn/releases/', '.yarn/plugins/', '.yarn/patches/', 'patches/'];

/** The files of those folders the listing holds, relative to `ctxDir` (for npm, Yarn and pnpm). */
function installTimeFiles(eco: EcosystemId, ctxDir: string, context: BuildContextFacts | undefined): string[] {
  if (!context || (eco !== 'npm' && eco !== 'yarn' && eco !== 'pnpm')) return [];
  const prefix = ctxDir ? ctxDir + '/' : '';
  return context.files
    .map((f) => f.path)
    .filter((f) => f.startsWith(prefix) && NODE_INSTALL_FOLDERS.some((d) => f.startsWith(prefix + d)))
    .map((f) => f.slice(prefix.length));
}

/**
 * Why there is no fix when the sources go into folders inside the install folder (a monorepo's `apps/web`,
 * `packages`): the install may read each one's own manifest (workspaces), which we cannot list safely. Null when the
 * copies land elsewhere (nothing known to say).
 */
function insideInstallDir(copies: readonly Step[], dir: string): string | null {
  const inside = copies
    .map((c) => withoutTrailing(c.destination ?? '', '/'))
    .filter((d) => d !== '' && d !== dir && isUnder(d, dir))
    .map((d) => d.slice(dir === '/' ? 1 : dir.length + 1));
  if (inside.length === 0) return null;
  const shown =
    inside.length > 3 ? `${inside.slice(0, 3).join(', ')} and ${inside.length - 3} more` : inside.join(', ');
  return `the sources go into folders inside ${dir} (${shown}) whose own manifests the install may read (workspaces), and which of their files to copy first is not known here`;
}

/** Does this COPY put files into folder `dir` (its destination is `dir` or above it)? */
function coversDir(step: Step, dir: string): boolean {
  return isUnder(dir, withoutTrailing(step.destination ?? '', '/') || '/');
}

/** The planner's answer: the fixes (none when no fix is safe) and, when we know, why there is none. */
export interface CopyFirstPlan {
  fixes: Fix[];
  /** A clause without a final period (the finding writes "No quick fix: <why>."), as every planner's reasons are. */
  why?: string;
}

/** The quick fix for one finding of copy-before-install. */
export function planCopyFirst(ctx: RuleContext, p: CopyFirstProblem): CopyFirstPlan {
  const { dep, install } = p;
  if (dep.needsSources && !depsOnlyForm(dep)) return { fixes: [] };
  const dir = runDir(install, dep);
  if (dir === null) return { fixes: [] };
  const plan = planManifests(ctx, p, dir, p.copies[0]);
  if (plan === null) return { fixes: [] };
  if (typeof plan === 'string') return { fixes: [], why: plan };
  const fixes = dep.kind === 'build' ? resolveFirst(ctx, p, dir, plan) : installFirst(ctx, p, plan);
  return typeof fixes === 'string' ? { fixes: [], why: fixes } : { fixes };
}

/** A build that resolves implicitly: keep the order; add the manifests and an explicit resolve step before the
 * sources arrive. */
function resolveFirst(ctx: RuleContext, p: CopyFirstProblem, dir: string, plan: ManifestPlan): Fix[] | string {
  const { model } = ctx;
  const { dep, install } = p;
  const first = p.copies[0];
  const start = attachedCommentStart(model, first);
  // the ecosystem's own step when it needs one (wrappers, cargo's stub), else the generic resolve command
  const own = resolveFirstCommand(dep);
  if (own !== null && typeof own !== 'string') return own.why;
  const command = own ?? resolveCommandFor(dep.ecosystem, programOf(dep.command));
  if (!command) return [];
  const mounts = install.flags
    .filter((f) => f.name === 'mount' && f.value && /(^|,)type=cache(,|$)/.test(f.value))
    .map((f) => `--mount=${f.value} `)
    .join('');
  const cd = dir === first.workdir ? '' : `cd ${plan.dirText ?? dir} && `;
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

/** An install: the manifests where the first source copy stood, the install, then the source copies below it. */
function installFirst(ctx: RuleContext, p: CopyFirstProblem, plan: ManifestPlan): Fix[] | string {
  const { model } = ctx;
  const { dep, install } = p;
  const first = p.copies[0];
  const stageSteps = model.stages[install.stage].steps.map((i) => model.steps[i]);
  const between = stageSteps.filter((s) => s.index > first.index && s.index < install.index && !p.copies.includes(s));
  for (const s of between) {
    if (s.keyword === 'VOLUME' || s.keyword === 'ONBUILD' || s.keyword === 'SHELL') return [];
    if (s.keyword === 'RUN' && !commandsOf(s).every(sourceFree)) {
      const c = commandsOf(s).find((x) => !sourceFree(x));
      const shown = c && c.text.length > 40 ? c.text.slice(0, 37) + '...' : (c?.text ?? 'RUN');
      return `line ${s.line} (\`${shown}\`) runs between the source copies and the install and may read the sources, so they cannot move below the install`;
    }
    if ((s.keyword === 'COPY' || s.keyword === 'ADD') && !s.copyFrom && bringsOrdinaryEdit(s, ctx.facts)) return [];
  }
  // the install step must only install: a build in the same RUN needs the sources (split it: splitRun.ts)
  const onlyInstalls = commandsOf(install).every(
    (c) => c === dep.command || programOf(c) === 'cd' || sourceFree(c) || isInstallOnly(c),
  );
  const split = planSplit(model, install, dep, onlyInstalls, sourceFree);
  if (split && 'why' in split) return split.why;
  // a moved COPY with a WORKDIR-relative destination must land in the same WORKDIR
  if (p.copies.some((c) => c.workdir !== install.workdir && relativeDestination(c))) return [];
  // a COPY --from that lays files over the copied sources (built assets into the project folder) stays above
  // them: it moves down with them, in the same order, so it still wins and does not key the install's cache
  const overlays = between.filter((s) => s.copyFrom && p.copies.some((c) => coversDir(c, s.destination ?? '')));
  const movedSteps = [...p.copies, ...overlays].sort((a, b) => a.index - b.index);
  if (overlays.some((c) => c.workdir !== install.workdir && relativeDestination(c))) return [];
  const edits: TextEdit[] = [];
  movedSteps.forEach((c, k) => {
    const from = attachedCommentStart(model, c);
    edits.push(replaceLines(model, from, c.endLine, k === 0 ? plan.lines : []));
  });
  const moved = movedSteps.flatMap((c) => blockLines(model, c));
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
