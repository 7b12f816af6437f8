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
import type { DockerfileModel, Step } from '../model';
import { memoPerStep } from '../reuse';
import { commandsOf, findCommands, hasOption, operands, programOf, type ShellCommand } from '../shell';
import { appendToRun, replaceLines, stageChainSteps } from './edits';
import type { Rule } from './rule';

interface Deletion {
  /** Absolute path deleted (globs cut off at the folder). */
  path: string;
  /** As written. */
  raw: string;
  command: ShellCommand;
}

/** Cache folders that package tools fill, by what fills them. */
function cachesCreatedBy(step: Step): string[] {
  const cmds = commandsOf(step);
  const out: string[] = [];
  if (findCommands(cmds, ['apt-get', 'apt'], ['update']).length) out.push('/var/lib/apt/lists');
  if (findCommands(cmds, ['apt-get', 'apt'], ['install', 'upgrade', 'dist-upgrade']).length) out.push('/var/cache/apt');
  if (findCommands(cmds, ['apk'], ['add', 'update']).some((c) => !hasOption(c, '--no-cache'))) out.push('/var/cache/apk');
  if (cmds.some((c) => /^pip[0-9.]*$/.test(programOf(c)) || (/^python/.test(programOf(c)) && c.words.includes('pip'))) && !cmds.some((c) => hasOption(c, '--no-cache-dir'))) {
    out.push('/root/.cache/pip');
  }
  if (findCommands(cmds, ['npm'], ['ci', 'install', 'i']).length) out.push('/root/.npm');
  if (findCommands(cmds, ['yarn']).length) out.push('/usr/local/share/.cache/yarn');
  if (findCommands(cmds, ['yum', 'dnf', 'microdnf'], ['install', 'update', 'upgrade']).length) out.push('/var/cache/yum', '/var/cache/dnf');
  if (findCommands(cmds, ['gem'], ['install']).length) out.push('/root/.gem', '/usr/local/bundle/cache');
  if (findCommands(cmds, ['go'], ['build', 'install', 'mod']).length) out.push('/root/.cache/go-build', '/go/pkg/mod');
  return out;
}

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
  const urlName = (u: string) => u.replace(/[?#].*$/, '').split('/').pop() ?? '';
  const args = operands(c, false);
  for (let i = 1; i < w.length; i++) if ((w[i] === '>' || w[i] === '>>') && w[i + 1]) add(w[i + 1]);
  for (const x of w) if (/^>>?[^>&]/.test(x)) add(x.replace(/^>>?/, ''));
  switch (p) {
    case 'curl':
      after('-o', '--output');
      if (w.includes('-O') || w.includes('--remote-name') || w.some((x) => /^-[a-zA-Z]*O[a-zA-Z]*$/.test(x))) {
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
    case 'cp': case 'mv': case 'ln': case 'install': case 'rsync':
      add(args[args.length - 1]);
      break;
    case 'mkdir': case 'touch':
      args.forEach(add);
      break;
    case 'tar':
      if (w.some((x) => /^-?[a-zA-Z]*x/.test(x) && !x.startsWith('--'))) after('-C', '--directory');
      if (w.some((x) => /^-?[a-zA-Z]*c[a-zA-Z]*f$/.test(x))) {
        const i = w.findIndex((x) => /^-?[a-zA-Z]*c[a-zA-Z]*f$/.test(x));
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

/** What a RUN deletes: `rm` operands, and the package tools' clean commands. */
/** What a step deletes (its text alone decides it): once per Step object. */
const deletionsOf = memoPerStep((step: Step): Deletion[] => {
  const out: Deletion[] = [];
  for (const c of commandsOf(step)) {
    const p = programOf(c);
    if (p === 'rm') {
      for (const raw of operands(c, false)) {
        const path = resolvePath(raw, step.workdir);
        if (path) out.push({ path, raw, command: c });
      }
    } else if ((p === 'apt-get' || p === 'apt') && operands(c, false)[0] === 'clean') {
      out.push({ path: '/var/cache/apt', raw: 'apt-get clean', command: c });
    } else if (p === 'npm' && operands(c, false)[0] === 'cache' && c.words.includes('clean')) {
      out.push({ path: '/root/.npm', raw: 'npm cache clean', command: c });
    } else if (p === 'yarn' && operands(c, false)[0] === 'cache' && c.words.includes('clean')) {
      out.push({ path: '/usr/local/share/.cache/yarn', raw: 'yarn cache clean', command: c });
    } else if (/^pip[0-9.]*$/.test(p) && operands(c, false)[0] === 'cache' && c.words.includes('purge')) {
      out.push({ path: '/root/.cache/pip', raw: 'pip cache purge', command: c });
    } else if ((p === 'yum' || p === 'dnf') && operands(c, false)[0] === 'clean') {
      out.push({ path: `/var/cache/${p}`, raw: `${p} clean`, command: c });
    }
  }
  return out;
});

const overlaps = (a: string, b: string) => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');

/** Does this earlier step put bytes at `path` (and not delete them itself)? */
function creates(step: Step, path: string): boolean {
  if (!step.createsLayer) return false;
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    const dest = (step.destination ?? '').replace(/\/+$/, '') || '/';
    return dest !== '/' && overlaps(dest, path);
  }
  if (step.keyword !== 'RUN') return false;
  if (deletionsOf(step).some((d) => d.path === path || path.startsWith(d.path + '/'))) return false;
  if (cachesCreatedBy(step).some((c) => overlaps(c, path))) return true;
  for (const c of commandsOf(step)) {
    for (const out of outputsOf(c, step.workdir)) {
      if (out === path || path.startsWith(out + '/') || out.startsWith(path + '/')) return true;
    }
  }
  return false;
}

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

function mentions(step: Step, path: string): boolean {
  return step.keyword === 'RUN' && step.command.includes(path);
}

export const removedInLaterLayer: Rule = {
  id: 'removed-in-later-layer',
  severity: 'warning',
  description: 'A RUN deletes files an earlier layer created: their bytes stay in the image.',
  check({ model, sizes }) {
    const out: ReturnType<Rule['check']> = [];
    for (const stage of model.stages) {
      if (!stage.reachesFinal) continue;
      const chain = stageChainSteps(model, stage.index);
      for (const i of stage.steps) {
        const step = model.steps[i];
        if (step.keyword !== 'RUN') continue;
        const found: { d: Deletion; creator: Step }[] = [];
        for (const d of deletionsOf(step)) {
          const creator = [...chain].reverse().find((s) => s.index < step.index && creates(s, d.path));
          if (creator) found.push({ d, creator });
        }
        if (found.length === 0) continue;
        const creators = [...new Set(found.map((f) => f.creator))];
        const what = found.map((f) => `${f.d.raw} (created at line ${f.creator.line})`).join(', ');
        const bytes = creators.reduce((t, c) => t + (sizes[c.index]?.bytes ?? 0), 0);
        const cost = bytes > 0 ? ` The creating layer${creators.length > 1 ? 's weigh' : ' weighs'} ${formatBytes(bytes)}.` : '';
        out.push({
          line: step.line,
          endLine: step.endLine,
          message: `Deletes ${what} in a later layer: the bytes stay in the image in the layer that created them.${cost} Delete them in the RUN that creates them.`,
          fixes: fixFor(model, step, found, chain),
        });
      }
    }
    return out;
  },
};

function fixFor(model: DockerfileModel, step: Step, found: { d: Deletion; creator: Step }[], chain: Step[]): ReturnType<Rule['check']>[number]['fixes'] {
  const creator = found[0].creator;
  if (!found.every((f) => f.creator === creator) || creator.keyword !== 'RUN' || step.execForm) return [];
  // the deleting RUN must do nothing but these deletions
  const deleting = new Set(found.map((f) => f.d.command));
  if (!commandsOf(step).every((c) => deleting.has(c) || ['set', 'true', ':'].includes(programOf(c)))) return [];
  const between = chain.filter((s) => s.index > creator.index && s.index < step.index);
  if (between.some((s) => found.some((f) => mentions(s, f.d.path) || ((s.keyword === 'COPY' || s.keyword === 'ADD') && overlaps((s.destination ?? '').replace(/\/+$/, ''), f.d.path))))) return [];
  const shell = [...deleting].map((c) => c.text).join(' && ');
  const append = appendToRun(model, creator, shell);
  if (!append) return [];
  return [{
    title: `Delete in the RUN at line ${creator.line} instead`,
    preferred: true,
    edits: [append, replaceLines(model, step.line, step.endLine, [])],
  }];
}
