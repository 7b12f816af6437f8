// For the multi-stage rewrite (multiStage.ts): what the steps that go to the builder stage leave behind that the
// runtime stage still needs besides the build output. Folders and files they create outside the build's working
// folder (`mkdir /data`, `curl -o /models/m.bin`, `git clone ... /opt/tool`, `tar -C /opt`), the owners `chown` gave
// (the runtime's copies keep them with `COPY --chown`), the setup RUNs made only of user and folder commands (run
// again in the runtime stage), and the programs the builder runs after pip whose writes we cannot tell (a
// `python -c` that downloads a model, a script): then the rewrite is declined, and this says why.

import * as posix from 'node:path/posix';
import type { Step } from '../model';
import { commandsOf, operands, optionValue, programOf, type ShellCommand } from '../shell';
import { packageCommand } from '../packageCommands';
import { runsBuildTool } from '../buildPlan';

export interface BuilderWrites {
  /** Absolute paths to copy into the runtime stage as they are (besides the artifacts). */
  carry: string[];
  /** `chown OWNER PATH` of the builder: PATH keeps OWNER in the runtime. */
  chowns: { owner: string; path: string }[];
  /** RUN steps made only of user and folder commands: run again in the runtime stage. */
  setup: Step[];
  /** Python programs run from the project after pip: they need the packages where pip put them (PATH, PYTHONPATH). */
  pythonRuns: Step[];
  /** Why the rewrite cannot be made safe, or null. */
  declined: string | null;
}

/** Commands of a setup RUN: users, groups, folders, links, modes. */
const SETUP = new Set([
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'usermod',
  'mkdir',
  'chown',
  'chmod',
  'ln',
  'touch',
]);
/** Commands whose writes do not matter to the runtime: packages, checks, shell words, files handled below. */
const QUIET = new Set([
  ...SETUP,
  ...[
    'apt-get',
    'apt',
    'apk',
    'dpkg',
    'apt-mark',
    'apt-key',
    'update-ca-certificates',
    'ldconfig',
    'rustup',
    'corepack',
  ],
  ...['set', 'export', 'cd', 'echo', 'printf', 'true', 'false', 'test', '[', '[[', 'exit', 'sleep', 'which', 'command'],
  ...['rm', 'ls', 'cat', 'find', 'grep', 'sed', 'awk', 'head', 'tail', 'sort', 'wc', 'cut', 'tr', 'xargs', 'tee'],
  ...['sha256sum', 'sha512sum', 'md5sum', 'gpg', 'gpgconf', 'strip', 'upx', 'gzip', 'gunzip', 'xz', 'mktemp'],
  ...['curl', 'wget', 'git', 'tar', 'unzip', 'cp', 'mv', 'install', 'go', 'cargo'],
  ...['if', 'then', 'else', 'elif', 'fi', 'for', 'do', 'done', 'case', 'esac', 'while', '{', '}', ''],
]);
/** Folders whose content no runtime needs: temporary files, package lists and caches, dependency downloads. */
const DISPOSABLE =
  /^\/(tmp|var\/tmp|var\/lib\/apt|var\/cache|var\/log|proc|dev|root\/\.(cache|npm|cargo|m2|gradle|nuget)|root\/go|go\/pkg|usr\/local\/share\/\.cache|usr\/local\/cargo\/(registry|git))(\/|$)/;

/**
 * Reads the builder's steps (`builder`: the stage's steps up to the last toolchain step). `keep`: the build output
 * paths (absolute; a trailing `/` for folders), which need no carrying; `workdir`: the build's working folder, whose
 * sources and intermediate files stay behind; `projectCopied`: the project folder is among the artifacts (Python);
 * `starts`: the scripts the image starts (absolute), which come along wherever they are.
 */
export function builderWrites(
  builder: Step[],
  keep: string[],
  workdir: string,
  projectCopied: boolean,
  starts: string[],
): BuilderWrites {
  const out: BuilderWrites = { carry: [], chowns: [], setup: [], pythonRuns: [], declined: null };
  const removed: string[] = [];
  const written: string[] = [];
  written.push(...starts);
  for (const step of builder) {
    written.push(...copiedOutside(step, workdir));
    if (step.keyword !== 'RUN') continue;
    const cmds = commandsOf(step);
    if (isSetup(cmds)) out.setup.push(step);
    let cwd = step.workdir;
    for (const c of cmds) {
      const prog = programOf(c);
      if (prog === 'cd') cwd = posix.resolve(cwd, operands(c, false)[0] ?? '/root');
      if (prog === 'chown') out.chowns.push(...chownsOf(c, cwd));
      if (prog === 'rm') removed.push(...operands(c, false).map((p) => posix.resolve(cwd, p)));
      if (!out.setup.includes(step)) written.push(...pathsWritten(c, cwd, workdir));
      const why = unreadable(c, step, projectCopied, out);
      if (why) return { ...out, declined: why };
    }
  }
  const inKept = (p: string): boolean => keep.some((k) => within(p, k.replace(/\/$/, '')));
  const wanted = written.filter((p) => !DISPOSABLE.test(p) && !inKept(p) && !removed.some((r) => within(p, r)));
  out.carry = [...new Set(wanted)].filter((p, _, all) => !all.some((q) => q !== p && within(p, q)));
  const unreadablePath = out.carry.find((p) => p.includes('$'));
  if (unreadablePath) out.declined = `the build writes ${unreadablePath}, a path named through a variable`;
  return out;
}

/**
 * A RUN of user and folder commands only, that copying the builder's /etc/passwd and /etc/group cannot stand in for:
 * it makes a folder or a home, or changes owners or modes.
 */
function isSetup(cmds: readonly ShellCommand[]): boolean {
  if (cmds.length === 0 || !cmds.every((c) => SETUP.has(programOf(c)))) return false;
  const usersOnly = (c: ShellCommand): boolean =>
    ['useradd', 'groupadd', 'adduser', 'addgroup'].includes(programOf(c)) &&
    !c.words.some((w) => /^(-m|--create-home)$/.test(w)) &&
    !(programOf(c) === 'adduser' && !c.words.includes('-H') && !c.words.includes('--no-create-home'));
  return !cmds.every(usersOnly);
}

/** `p` is `dir` or lies under it. */
function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : dir + '/');
}

/** Why a command makes the rewrite unsafe (it may write anywhere), or null. Python project runs are noted. */
function unreadable(c: ShellCommand, step: Step, projectCopied: boolean, out: BuilderWrites): string | null {
  const prog = programOf(c);
  if (QUIET.has(prog) || runsBuildTool(c) || packageCommand(c) !== null) return null;
  const script = c.words.find((w, i) => i > 0 && !w.startsWith('-'));
  if (/^python[\d.]*$/.test(prog) && projectCopied && script && !c.words.includes('-c') && !script.startsWith('/')) {
    if (!out.pythonRuns.includes(step)) out.pythonRuns.push(step);
    return null;
  }
  const text = c.text.replace(/\s+/g, ' ');
  const shown = text.length > 50 ? text.slice(0, 47) + '...' : text;
  return `line ${step.line} runs \`${shown}\`, which may write files the image needs (a downloaded model, generated data) that a runtime stage would not get`;
}

/** What a file command writes that may matter at run time: downloads anywhere, other writes outside the build dir. */
function pathsWritten(c: ShellCommand, cwd: string, workdir: string): string[] {
  const prog = programOf(c);
  const ops = operands(c, false);
  const at = (p: string | null | undefined): string[] => (p ? [posix.resolve(cwd, p)] : []);
  const outside = (ps: string[]): string[] => ps.filter((p) => !within(p, workdir.replace(/\/$/, '') || '/'));
  switch (prog) {
    case 'curl':
      return at(optionValue(c, '-o', '--output'));
    case 'wget':
      return [...at(optionValue(c, '-O', '--output-document')), ...at(optionValue(c, '-P', '--directory-prefix'))];
    case 'git': {
      // `git clone [--depth 1] URL [DIR]`: DIR, else the repository's name
      const last = operands(c).pop();
      if (c.subcommand !== 'clone' || !last) return [];
      return at(/:\/\/|@/.test(last) ? posix.basename(last).replace(/\.git$/, '') : last);
    }
    case 'tar':
      return at(optionValue(c, '-C', '--directory'));
    case 'unzip':
      return at(optionValue(c, '-d'));
    case 'mkdir':
      return outside(ops.flatMap(at));
    case 'cp':
    case 'mv':
    case 'install':
      return outside(at(ops[ops.length - 1]));
    default:
      return [];
  }
}

/** What a COPY/ADD from the context or a URL puts outside the build's folder (configuration, scripts): its files. */
function copiedOutside(step: Step, workdir: string): string[] {
  if ((step.keyword !== 'COPY' && step.keyword !== 'ADD') || step.copyFrom || !step.destination) return [];
  const dest = step.destination;
  if (within(dest, workdir.replace(/\/$/, '') || '/')) return [];
  const sources = step.sources ?? [];
  if (!dest.endsWith('/') || sources.some((src) => /[*?[]/.test(src) || src === '.' || src.endsWith('/')))
    return [dest.replace(/\/$/, '') || '/'];
  return sources.map((src) => posix.join(dest, posix.basename(src)));
}

/** `chown [-R] OWNER PATH...` -> each PATH with OWNER. */
function chownsOf(c: ShellCommand, cwd: string): { owner: string; path: string }[] {
  const [owner, ...paths] = operands(c, false);
  if (!owner) return [];
  return paths.map((p) => ({ owner, path: posix.resolve(cwd, p) }));
}
