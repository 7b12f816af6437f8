// removed-in-later-layer
//
// What: a RUN that deletes paths (`rm`) an earlier layer of its stage, or of a stage it is built FROM, wrote: a
// downloaded archive, a cloned tree, a COPY'd file, apt's package index, npm's cache; in a stage that reaches the
// final image. A tool's clean command (`apt-get clean`, `npm cache clean`) is not a path: the cache rules report
// the caches at the RUN that fills them.
// Why: layers only add. A deletion in a later layer hides the files but their bytes stay in the layer that
// created them and ship with every pull: `RUN curl -o /tmp/x.tgz ...` then `RUN rm /tmp/x.tgz` costs the
// whole archive. Reported at the deleting RUN, naming the line that wrote each path and, where known, the bytes
// deleted (the COPY'd context files' sizes, the apt lists, npm's cache; not the creating layer's whole size).
// Not a finding: a RUN deleting what it wrote itself, paths of the base image or of packages the deleting RUN
// installs (no earlier step wrote them), a folder an earlier `mkdir` made empty, and deletions whose bytes are all
// known and under 1 MB together (a config file: not worth a rewrite). Unknown sizes (a download) stay findings.
// Fixes (../rewrite/laterDeletion.ts): move the deletion into the creating RUN; for a COPY'd file the one RUN uses
// and deletes, bind-mount it into that RUN instead (BuildKit only). The finding says why when neither is safe.

import * as posix from 'node:path/posix';
import type { BuildContextFacts, DockerfileModel, Stage, Step } from '../model';
import { memoPerStep } from '../reuse';
import { commandsOf, findCommands, operands, programOf, type ShellCommand } from '../shell';
import { hasPackageOption, packageCommand, readNodeInstall, pipNoCacheDir } from '../packageCommands';
import { globMatch } from '../estimate/run/conditions';
import { lookupBaseImage } from '../estimate/baseImages';
import { debianRelease, parseImageRef } from '../imageRef';
import { withoutTrailing } from '../text';
import { laterDeletionFixes, type DeletedPath } from '../rewrite/laterDeletion';
import { selectedFiles, sourceEntry, pathBelowEntry, isRemote } from '../sources';
import { contextPath } from '../paths';
import { archiveRatio } from '../estimate/copy';
import { APT_LISTS_BYTES } from '../estimate/run/apt';
import { nodeCacheLeft } from '../estimate/run/npm';
import { stepsBefore } from '../steps';
import type { Rule, RuleContext } from './rule';

interface Deletion {
  /** Absolute path deleted (globs cut off at the folder). */
  path: string;
  /** As written. */
  raw: string;
  /** The last segment's glob (`*.whl` of `rm *.whl`), null without one: what the deletion can match below `path`. */
  glob: string | null;
  command: ShellCommand;
}

/** Cache folders that package tools fill, by what fills them. */
function cachesCreatedBy(step: Step): string[] {
  const cmds = commandsOf(step);
  const out: string[] = [];
  const tools = cmds.map(packageCommand);
  const apt = tools.map((pc) => (pc?.tool === 'apt' ? pc.sub : null));
  if (apt.includes('update')) out.push('/var/lib/apt/lists');
  if (apt.some((sub) => APT_FILLS_CACHE.has(sub ?? ''))) out.push('/var/cache/apt');
  if (
    tools.some((pc) => pc?.tool === 'apk' && APK_FILLS_CACHE.has(pc.sub ?? '') && !hasPackageOption(pc, '--no-cache'))
  )
    out.push('/var/cache/apk');
  if (
    tools.some(
      (pc) => pc?.tool === 'pip' && pc.launcher !== 'uv' && PIP_FILLS_CACHE.has(pc.sub ?? '') && !pipNoCacheDir(pc),
    )
  )
    out.push('/root/.cache/pip');
  if (cmds.some((c) => readNodeInstall(c)?.tool === 'npm')) out.push('/root/.npm');
  if (tools.some((pc) => pc?.tool === 'yarn')) out.push('/usr/local/share/.cache/yarn');
  if (findCommands(cmds, ['yum', 'dnf', 'microdnf'], ['install', 'update', 'upgrade']).length)
    out.push('/var/cache/yum', '/var/cache/dnf');
  if (findCommands(cmds, ['gem'], ['install']).length) out.push('/root/.gem', '/usr/local/bundle/cache');
  if (findCommands(cmds, ['go'], ['build', 'install', 'mod']).length) out.push('/root/.cache/go-build', '/go/pkg/mod');
  return out;
}

const APT_FILLS_CACHE = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade']);
const APK_FILLS_CACHE = new Set(['add', 'update', 'upgrade']);
const PIP_FILLS_CACHE = new Set(['install', 'wheel', 'download']);

/** `workdir` null: after a `cd`, where a relative path leads is not followed here. */
function resolvePath(p: string, workdir: string | null): string | null {
  if (p.includes('$') || p === '') return null;
  if (workdir === null && !p.startsWith('/') && !p.startsWith('~')) return null;
  const home = p.replace(/^~(?=\/|$)/, '/root');
  const cut = home.search(/[*?[]/);
  let path = cut >= 0 ? home.slice(0, cut) : home;
  if (cut >= 0) path = path.endsWith('/') ? path : posix.dirname(path);
  const abs = posix.resolve(workdir ?? '/', path || '.');
  return abs === '/' ? null : abs;
}

/**
 * What a command writes at a path: one file (a download, a redirect, an archive it creates), nothing but an empty
 * folder, file or link (mkdir, touch, ln), or a tree whose content we do not know (a clone, a copy, an extraction).
 */
type OutputKind = 'file' | 'empty' | 'tree';

interface Output {
  path: string;
  kind: OutputKind;
}

/** Paths a command writes: download targets, clone and copy destinations, created folders, redirects. */
function outputsOf(c: ShellCommand, workdir: string | null): Output[] {
  const p = programOf(c);
  const w = c.words;
  const out: Output[] = [];
  let kind: OutputKind = 'file';
  const add = (raw: string | undefined) => {
    const abs = raw ? resolvePath(raw, workdir) : null;
    if (abs) out.push({ path: abs, kind });
  };
  const after = (...flags: string[]) => {
    for (let i = 1; i < w.length; i++) {
      for (const f of flags) {
        if (w[i] === f) add(w[i + 1]);
        else if (f.startsWith('--') && w[i].startsWith(f + '=')) add(w[i].slice(f.length + 1));
      }
    }
  };
  const urlName = (u: string) =>
    u
      .replace(/[?#][^]*$/, '')
      .split('/')
      .pop() ?? '';
  const args = operands(c, false);
  for (let i = 1; i < w.length; i++) if ((w[i] === '>' || w[i] === '>>') && w[i + 1]) add(w[i + 1]);
  for (const x of w) if (/^>>?[^>&]/.test(x)) add(x.replace(/^>>?/, ''));
  kind = KIND_OF[p] ?? 'file';
  switch (p) {
    case 'curl':
      after('-o', '--output');
      if (w.includes('-O') || w.includes('--remote-name') || w.some((x) => /^-[a-zA-Z]*$/.test(x) && x.includes('O'))) {
        for (const u of args.filter((a) => /^[a-z]+:\/\//i.test(a))) add(urlName(u));
      }
      break;
    case 'wget': {
      const before = out.length;
      after('-O', '--output-document');
      if (out.length === before) {
        const dirIdx = w.findIndex((x) => x === '-P' || x === '--directory-prefix');
        const dir = dirIdx >= 0 ? w[dirIdx + 1] : '.';
        for (const u of args.filter((a) => /^[a-z]+:\/\//i.test(a))) add(posix.join(dir ?? '.', urlName(u)));
      }
      break;
    }
    case 'git':
      if (args[0] === 'clone') add(args[2] ?? urlName(args[1] ?? '').replace(/\.git$/, ''));
      break;
    case 'cp':
    case 'mv':
    case 'ln':
    case 'install':
    case 'rsync':
      add(args[args.length - 1]);
      break;
    case 'mkdir':
    case 'touch':
      args.forEach(add);
      break;
    case 'tar':
      kind = 'tree';
      if (w.some((x) => /^-?[a-zA-Z]*x/.test(x) && !x.startsWith('--'))) after('-C', '--directory');
      kind = 'file';
      // -czf: /^-?[a-zA-Z]*c[a-zA-Z]*f$/ in two linear tests (that pattern is quadratic on a long word of c's)
      if (w.some(createsArchive)) {
        const i = w.findIndex(createsArchive);
        add(w[i + 1]);
      }
      break;
    case 'unzip':
      after('-d');
      break;
    default:
      break;
  }
  return out;
}

/** What the commands that write more than one file write (the rest write one file). */
const KIND_OF: Record<string, OutputKind> = {
  git: 'tree',
  cp: 'tree',
  mv: 'tree',
  install: 'tree',
  rsync: 'tree',
  unzip: 'tree',
  mkdir: 'empty',
  touch: 'empty',
  ln: 'empty',
};

/** tar's `-czf`, `cvf`: create an archive into the file named next. */
const createsArchive = (x: string): boolean => /^-?[a-zA-Z]*f$/.test(x) && x.slice(0, -1).includes('c');

/** What a step deletes, as paths (`rm` operands; a tool's clean command is not a path): once per Step object. */
const deletionsOf = memoPerStep((step: Step): Deletion[] => {
  const out: Deletion[] = [];
  for (const c of commandsOf(step)) {
    if (programOf(c) !== 'rm') continue;
    for (const raw of operands(c, false)) {
      const path = resolvePath(raw, step.workdir);
      if (path) out.push({ path, raw, glob: lastGlob(raw), command: c });
    }
  }
  return out;
});

const overlaps = (a: string, b: string) => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');

/** `*.whl` of `rm -f build/*.whl`: a glob in the last segment, whose folder resolvePath kept. */
function lastGlob(raw: string): string | null {
  const last = raw.slice(raw.lastIndexOf('/') + 1);
  return /[*?[]/.test(last) && !/[*?[]/.test(raw.slice(0, raw.lastIndexOf('/') + 1)) ? last : null;
}

/**
 * Can a file written at `written` be one the deletion removes? At or above the deleted folder: yes (its content is
 * not known); below it, with a glob: only when the name right below the folder matches (`rm *.whl` does not remove
 * the uv.lock a COPY put there).
 */
function hit(d: Deletion, written: string): boolean {
  if (!overlaps(written, d.path)) return false;
  if (d.glob === null || !written.startsWith(d.path + '/')) return true;
  const below = written.slice(d.path.length + 1).split('/')[0];
  return globMatch(d.glob, below);
}

/**
 * Whether apt in this stage cleans its own package cache after every install: the official Debian and Ubuntu images
 * (and every image built on them) ship /etc/apt/apt.conf.d/docker-clean, so `apt-get install` leaves no .deb in
 * /var/cache/apt for a later `apt-get clean` to remove. Known from the base table, or from a tag naming a Debian or
 * Ubuntu release (`python:3.12-slim`, `uv:python3.12-trixie-slim`).
 */
function aptCleansItself(model: DockerfileModel, from: Stage): boolean {
  let stage = from;
  for (let hop = 0; stage.baseStage !== null && model.stages[stage.baseStage] && hop < model.stages.length; hop++)
    stage = model.stages[stage.baseStage];
  const family = lookupBaseImage(stage.from)?.family;
  if (family === 'debian' || family === 'ubuntu') return true;
  const ref = parseImageRef(stage.from);
  const tag = ref.tag ?? '';
  return (
    debianRelease(tag) !== null ||
    /(^|-)(slim|jammy|noble|focal)(-|$)/.test(tag) ||
    /(^|\/)(debian|ubuntu)$/.test(ref.repository ?? '')
  );
}

/** What a RUN writes (caches its tools fill, and the paths its commands write): once per Step object. */
const writesOf = memoPerStep((step: Step): { caches: string[]; outputs: Output[] } => {
  const outputs: Output[] = [];
  let workdir: string | null = step.workdir;
  for (const c of commandsOf(step)) {
    if (programOf(c) === 'cd') workdir = null;
    for (const out of outputsOf(c, workdir)) outputs.push(out);
  }
  return { caches: cachesCreatedBy(step), outputs };
});

/** A file (or an empty folder) written at `written` is deleted: the deletion covers it, not merely a folder above. */
function fileHit(d: Deletion, written: string): boolean {
  return (written === d.path || written.startsWith(d.path + '/')) && hit(d, written);
}

/** What an earlier step left that the deletion hides: the bytes, null when we cannot tell. */
interface Created {
  bytes: number | null;
}

/**
 * Does this earlier step put bytes at the deleted path (and not delete them itself)? `work` is charged for the paths
 * compared (see MAX_WORK).
 */
function creates(step: Step, d: Deletion, work: { done: number }, aptClean: boolean, ctx: RuleContext): Created | null {
  work.done++;
  if (!step.createsLayer) return null;
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    return copyHits(step, d) ? { bytes: copiedBytes(step, d, ctx.facts.context) } : null;
  }
  if (step.keyword !== 'RUN') return null;
  const path = d.path;
  const deletions = deletionsOf(step);
  const { caches, outputs } = writesOf(step);
  work.done += deletions.length + caches.length + outputs.length;
  if (deletions.some((x) => x.path === path || path.startsWith(x.path + '/'))) return null;
  const cache = caches.find((c) => overlaps(c, path) && !(aptClean && c === '/var/cache/apt'));
  if (cache) return { bytes: path === cache || cache.startsWith(path + '/') ? cacheBytes(step, cache) : null };
  const written = outputs.filter((o) => (o.kind === 'tree' ? hit(d, o.path) : fileHit(d, o.path)));
  if (written.length === 0) return null;
  return { bytes: written.every((o) => o.kind === 'empty') ? 0 : null };
}

/** A COPY/ADD whose destination the deletion reaches (into the deleted folder: a name of it must match the glob). */
function copyHits(step: Step, d: Deletion): boolean {
  const dest = withoutTrailing(step.destination ?? '', '/') || '/';
  if (dest === '/' || !overlaps(dest, d.path)) return false;
  if (d.glob === null || dest !== d.path) return hit(d, dest);
  return (step.sources ?? []).some((src) => globMatch(d.glob as string, src.slice(src.lastIndexOf('/') + 1)));
}

/**
 * The bytes of the context files a COPY put where the deletion removes them (the listing's sizes); null without a
 * listing, for COPY --from, remote or extracted ADD sources, or a source the listing lacks.
 */
function copiedBytes(step: Step, d: Deletion, context: BuildContextFacts | undefined): number | null {
  const sources = step.sources ?? [];
  if (!context || step.copyFrom || sources.length === 0) return null;
  if (sources.some((s) => s.startsWith('<<') || isRemote(s) || (step.keyword === 'ADD' && archiveRatio(s))))
    return null;
  const rawDest = step.words[step.words.length - 1] ?? '';
  const intoFolder = sources.length > 1 || /(^|\/)\.?$/.test(rawDest) || rawDest.endsWith('/');
  const dest = withoutTrailing(step.destination ?? '', '/') || '/';
  const counted = new Set<string>();
  let bytes = 0;
  for (const src of sources) {
    const path = contextPath(src);
    const files = selectedFiles(context, path);
    if (files.length === 0) return null;
    for (const f of files) {
      const entry = sourceEntry(path, f.path) ?? '';
      const landed = posix.join(dest, pathBelowEntry(entry, f.path));
      // a single file copied to a name without a slash lands at that name, or inside it when it is a folder
      const at = intoFolder || entry !== f.path ? [landed] : [dest, landed];
      if (!counted.has(f.path) && at.some((l) => fileHit(d, l))) {
        counted.add(f.path);
        bytes += f.bytes;
      }
    }
  }
  return bytes;
}

/** The size of a whole cache the step left: apt's lists (Debian bookworm's, the smallest we measured), npm's. */
function cacheBytes(step: Step, cache: string): number | null {
  if (cache === '/var/lib/apt/lists') return Math.min(...Object.values(APT_LISTS_BYTES));
  if (cache === '/root/.npm' || cache === '/usr/local/share/.cache/yarn') return nodeCacheLeft(step)?.bytes ?? null;
  return null;
}

/**
 * Paths compared over one check, at most: every deletion is looked for in every step above it, which on a file of
 * a hundred thousand RUNs would take hours. Far above what real files need (the 5,000-line benchmark file: none);
 * past it the rule stops looking, and says so in the model's problems.
 */
const MAX_WORK = 10_000_000;

/** SI units as docker prints them: 12.7 MB. */
function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Below this many bytes (all known) a later deletion is not worth a finding: a config file, an empty folder. */
const THRESHOLD = 1_000_000;

interface Found extends DeletedPath {
  bytes: number | null;
}

/** The deleted paths of one RUN with the earlier step that wrote each; null when the rule ran out of work. */
function foundIn(ctx: RuleContext, step: Step, work: { done: number }, aptClean: () => boolean): Found[] | null {
  const found: Found[] = [];
  for (const d of deletionsOf(step)) {
    for (const s of stepsBefore(ctx.model, step)) {
      const created = creates(s, d, work, aptClean(), ctx);
      if (created) {
        found.push({ ...d, creator: s, bytes: created.bytes });
        break;
      }
      if (work.done > MAX_WORK) return null;
    }
  }
  return found;
}

/** The finding's text: each path with its line and size, the total, and the fix or why there is none. */
function messageOf(found: readonly Found[], why: string | null): string {
  const what = found
    .map((f) => `${f.raw} (created at line ${f.creator.line}${f.bytes ? `, ${formatBytes(f.bytes)}` : ''})`)
    .join(', ');
  const known = found.every((f) => f.bytes !== null);
  const total = found.reduce((t, f) => t + (f.bytes ?? 0), 0);
  const cost = total > 0 ? ` ${known ? '' : 'At least '}${formatBytes(total)} stay in the image.` : '';
  const copied = found.some((f) => f.creator.keyword === 'COPY' || f.creator.keyword === 'ADD');
  const advice = copied
    ? ' Mount what only this build step needs (`RUN --mount=type=bind,source=...,target=...`, BuildKit) instead of copying it.'
    : ' Delete them in the RUN that creates them.';
  return `Deletes ${what} in a later layer: the bytes stay in the image in the layer that created them.${cost}${advice}${why ? ` No fix offered: ${why}.` : ''}`;
}

export const removedInLaterLayer: Rule = {
  id: 'removed-in-later-layer',
  severity: 'warning',
  description: 'A RUN deletes files an earlier layer created: their bytes stay in the image.',
  check(ctx) {
    const { model } = ctx;
    const out: ReturnType<Rule['check']> = [];
    const work = { done: 0 };
    for (const stage of model.stages) {
      if (!stage.reachesFinal) continue;
      let aptCleanOf: boolean | undefined; // once per stage, when a deletion asks
      const aptClean = () => (aptCleanOf ??= aptCleansItself(model, stage));
      for (const i of stage.steps) {
        const step = model.steps[i];
        if (step.keyword !== 'RUN') continue;
        const found = foundIn(ctx, step, work, aptClean);
        if (found === null) {
          model.problems.push(
            `${removedInLaterLayer.id}: stopped at line ${step.line}, the file has too many deletions and steps to compare`,
          );
          return out;
        }
        if (found.length === 0) continue;
        if (found.every((f) => f.bytes !== null) && found.reduce((t, f) => t + (f.bytes ?? 0), 0) < THRESHOLD) continue;
        const planned = laterDeletionFixes(model, step, found);
        out.push({
          line: step.line,
          endLine: step.endLine,
          message: messageOf(found, planned.why),
          fixes: planned.fixes,
        });
      }
    }
    return out;
  },
};
