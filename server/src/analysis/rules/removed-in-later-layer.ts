// removed-in-later-layer
//
// What: a RUN that deletes files or caches an earlier step of the stage created (a downloaded archive, a
// cloned source tree, apt's package index, pip's or npm's cache), in a stage that reaches the final image.
// Why: layers only add. A deletion in a later layer hides the files but their bytes stay in the layer that
// created them and ship with every pull: `RUN curl -o /tmp/x.tgz ...` then `RUN rm /tmp/x.tgz` costs the
// whole archive. Reported at the deleting RUN, naming the line that created the bytes.
// Fix (when it is safe): move the deletion into the creating RUN (`... && rm -rf <path>`), and drop the RUN
// that only deleted. Safe means: the creator is a shell RUN, the deleting RUN does nothing else, and no RUN in
// between names the deleted path.

import * as posix from 'node:path/posix';
import type { DockerfileModel, Fix, Stage, Step } from '../model';
import { memoPerStep } from '../reuse';
import { commandsOf, findCommands, operands, programOf, type ShellCommand } from '../shell';
import {
  aptSubcommand,
  cleansNpmCache,
  hasPackageOption,
  packageCommand,
  readNodeInstall,
  pipNoCacheDir,
} from '../packageCommands';
import { globMatch } from '../estimate/run/conditions';
import { lookupBaseImage } from '../estimate/baseImages';
import { debianRelease, parseImageRef } from '../imageRef';
import { withoutTrailing } from '../text';
import { deleteStep } from '../rewrite/edits';
import { appendToRun } from '../rewrite/runEdits';
import { stepsBefore } from '../steps';
import type { Rule } from './rule';

interface Deletion {
  /** Absolute path deleted (globs cut off at the folder). */
  path: string;
  /** As written: the path, or the clean command (`apt-get clean`). */
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

function resolvePath(p: string, workdir: string): string | null {
  if (p.includes('$') || p === '') return null;
  const home = p.replace(/^~(?=\/|$)/, '/root');
  const cut = home.search(/[*?[]/);
  let path = cut >= 0 ? home.slice(0, cut) : home;
  if (cut >= 0) path = path.endsWith('/') ? path : posix.dirname(path);
  const abs = posix.resolve(workdir, path || '.');
  return abs === '/' ? null : abs;
}

/** Paths a command writes: download targets, clone and copy destinations, created folders, redirects. */
function outputsOf(c: ShellCommand, workdir: string): string[] {
  const p = programOf(c);
  const w = c.words;
  const out: string[] = [];
  const add = (raw: string | undefined) => {
    const abs = raw ? resolvePath(raw, workdir) : null;
    if (abs) out.push(abs);
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
      if (w.some((x) => /^-?[a-zA-Z]*x/.test(x) && !x.startsWith('--'))) after('-C', '--directory');
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

/** tar's `-czf`, `cvf`: create an archive into the file named next. */
const createsArchive = (x: string): boolean => /^-?[a-zA-Z]*f$/.test(x) && x.slice(0, -1).includes('c');

/** `pip cache purge`, in pip's spellings. */
function pipCachePurge(c: ShellCommand): boolean {
  const pc = packageCommand(c);
  return pc?.tool === 'pip' && pc.sub === 'cache' && pc.operands[0] === 'purge';
}

/** What a RUN deletes: `rm` operands, and the package tools' clean commands. */
/** What a step deletes (its text alone decides it): once per Step object. */
const deletionsOf = memoPerStep((step: Step): Deletion[] => {
  const out: Deletion[] = [];
  for (const c of commandsOf(step)) {
    const p = programOf(c);
    if (p === 'rm') {
      for (const raw of operands(c, false)) {
        const path = resolvePath(raw, step.workdir);
        if (path) out.push({ path, raw, glob: lastGlob(raw), command: c });
      }
    } else if (aptSubcommand(c) === 'clean') {
      out.push({ path: '/var/cache/apt', raw: 'apt-get clean', glob: null, command: c });
    } else if (cleansNpmCache(c)) {
      const yarn = programOf(c) === 'yarn';
      out.push(
        yarn
          ? { path: '/usr/local/share/.cache/yarn', raw: 'yarn cache clean', glob: null, command: c }
          : { path: '/root/.npm', raw: 'npm cache clean', glob: null, command: c },
      );
    } else if (pipCachePurge(c)) {
      out.push({ path: '/root/.cache/pip', raw: 'pip cache purge', glob: null, command: c });
    } else if ((p === 'yum' || p === 'dnf') && operands(c, false)[0] === 'clean') {
      out.push({ path: `/var/cache/${p}`, raw: `${p} clean`, glob: null, command: c });
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
const writesOf = memoPerStep((step: Step): { caches: string[]; outputs: string[] } => {
  const outputs: string[] = [];
  for (const c of commandsOf(step)) for (const out of outputsOf(c, step.workdir)) outputs.push(out);
  return { caches: cachesCreatedBy(step), outputs };
});

/**
 * Does this earlier step put bytes at `path` (and not delete them itself)? `work` is charged for the paths compared
 * (see MAX_WORK).
 */
function creates(step: Step, d: Deletion, work: { done: number }, aptClean: boolean): boolean {
  const path = d.path;
  work.done++;
  if (!step.createsLayer) return false;
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    const dest = withoutTrailing(step.destination ?? '', '/') || '/';
    if (dest === '/' || !overlaps(dest, path)) return false;
    // a COPY into the deleted folder: one of its sources must be a name the glob removes
    if (d.glob === null || dest !== path) return hit(d, dest);
    return (step.sources ?? []).some((src) => globMatch(d.glob as string, src.slice(src.lastIndexOf('/') + 1)));
  }
  if (step.keyword !== 'RUN') return false;
  const deletions = deletionsOf(step);
  const { caches, outputs } = writesOf(step);
  work.done += deletions.length + caches.length + outputs.length;
  if (deletions.some((x) => x.path === path || path.startsWith(x.path + '/'))) return false;
  if (caches.some((c) => overlaps(c, path) && !(aptClean && c === '/var/cache/apt'))) return true;
  return outputs.some((out) => hit(d, out));
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

/** What a deletion removes, as paths: `/tmp/app.tgz`, `/var/cache/apt (apt-get clean)`. */
function deletedText(d: Deletion): string {
  return programOf(d.command) === 'rm' ? d.raw : `${d.path} (${d.raw})`;
}

function mentions(step: Step, path: string): boolean {
  return step.keyword === 'RUN' && step.command.includes(path);
}

export const removedInLaterLayer: Rule = {
  id: 'removed-in-later-layer',
  severity: 'warning',
  description: 'A RUN deletes files an earlier layer created: their bytes stay in the image.',
  check({ model, sizes }) {
    const out: ReturnType<Rule['check']> = [];
    const work = { done: 0 };
    for (const stage of model.stages) {
      if (!stage.reachesFinal) continue;
      let aptCleanOf: boolean | undefined; // once per stage, when a deletion asks
      for (const i of stage.steps) {
        const step = model.steps[i];
        if (step.keyword !== 'RUN') continue;
        const found: { d: Deletion; creator: Step }[] = [];
        for (const d of deletionsOf(step)) {
          if (work.done > MAX_WORK) break;
          let creator: Step | undefined;
          for (const s of stepsBefore(model, step)) {
            if (creates(s, d, work, (aptCleanOf ??= aptCleansItself(model, stage)))) {
              creator = s;
              break;
            }
            if (work.done > MAX_WORK) break;
          }
          if (creator) found.push({ d, creator });
        }
        if (work.done > MAX_WORK) {
          model.problems.push(
            `${removedInLaterLayer.id}: stopped at line ${step.line}, the file has too many deletions and steps to compare`,
          );
          return out;
        }
        if (found.length === 0) continue;
        const creators = [...new Set(found.map((f) => f.creator))];
        const what = found.map((f) => `${deletedText(f.d)} (created at line ${f.creator.line})`).join(', ');
        const bytes = creators.reduce((t, c) => t + (sizes[c.index]?.bytes ?? 0), 0);
        const cost =
          bytes > 0 ? ` The creating layer${creators.length > 1 ? 's weigh' : ' weighs'} ${formatBytes(bytes)}.` : '';
        out.push({
          line: step.line,
          endLine: step.endLine,
          message: `Deletes ${what} in a later layer: the bytes stay in the image in the layer that created them.${cost} Delete them in the RUN that creates them.`,
          fixes: (m) => fixFor(m, step, found),
        });
      }
    }
    return out;
  },
};

function fixFor(model: DockerfileModel, step: Step, found: { d: Deletion; creator: Step }[]): Fix[] {
  const creator = found[0].creator;
  if (!found.every((f) => f.creator === creator) || creator.keyword !== 'RUN' || step.execForm) return [];
  // the deleting RUN must do nothing but these deletions
  const deleting = new Set(found.map((f) => f.d.command));
  if (!commandsOf(step).every((c) => deleting.has(c) || ['set', 'true', ':'].includes(programOf(c)))) return [];
  const between: Step[] = [];
  for (const s of stepsBefore(model, step)) {
    if (s.index <= creator.index) break;
    between.push(s);
  }
  if (
    between.some((s) =>
      found.some(
        (f) =>
          mentions(s, f.d.path) ||
          ((s.keyword === 'COPY' || s.keyword === 'ADD') &&
            overlaps(withoutTrailing(s.destination ?? '', '/'), f.d.path)),
      ),
    )
  )
    return [];
  const shell = [...deleting].map((c) => c.text).join(' && ');
  const append = appendToRun(model, creator, shell);
  if (!append) return [];
  return [
    {
      title: `Delete in the RUN at line ${creator.line} instead`,
      preferred: true,
      edits: [append, deleteStep(model, step)],
    },
  ];
}
