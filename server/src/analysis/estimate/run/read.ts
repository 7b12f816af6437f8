// What a RUN step's commands install and clean (the package-manager commands are read by ../../packageCommands.ts),
// from the commands that run (./flow.ts decides its branches): the apt-get, apk, npm/yarn/pnpm and pip parts each
// estimator sizes, in the order they run where that matters (an install and a removal, apt lists updated and
// removed), and the programs whose writes no estimator sizes.

import { dependencyCommand, type DependencyCommand } from '../../ecosystems';
import type { Step } from '../../model';
import type { ShellCommand } from '../../shell';
import {
  cleansNpmCache,
  isAptUpdate,
  readApkAdd,
  readApkDel,
  readAptInstall,
  readAptMark,
  readAptRemove,
  readNodeInstall,
  readPipInstall,
  removesApkCache,
  removesAptLists,
  packageCommand,
  type ApkAdd,
} from '../../packageCommands';
import { readMetadataChange } from '../../runWrites/files';
import type { AptOp } from './aptSequence';
import { flowOf, MANUAL_MARK } from './flow';

/** Commands that write (almost) nothing to the filesystem. */
const QUIET = new Set([
  'echo',
  'printf',
  'true',
  'false',
  'set',
  'export',
  'cd',
  'test',
  '[',
  '[[',
  ':',
  'mkdir',
  'ln',
  'sleep',
  'which',
  'command',
  'exit',
  'env',
  'id',
  'whoami',
  'ls',
  'cat',
  'pwd',
  'uname',
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'usermod',
  'chmod',
  'chown',
  'rm',
  'apt-get',
  'apt',
  'apt-mark',
  'apk',
  'update-ca-certificates',
  'ldconfig',
  'dpkg-reconfigure',
  'locale-gen',
  'sed',
  'grep',
  'touch',
  'rmdir',
  'unset',
  'source',
  '.',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'do',
  'done',
  'while',
]);

/**
 * What a RUN's commands install and clean, for a stage built for `platform`: the commands that run (./flow.ts), with
 * `selection` (an alternative per choice of the flow) where a branch cannot be decided. Without choices, once per
 * Step object (reuse.ts) and platform.
 */
export function readRun(step: Step, platform: string | null, selection?: readonly number[]): RunCommands {
  const hit = plain.get(step);
  if (hit && hit.platform === platform) return hit;
  const flow = flowOf(step, platform);
  const guards = flow.guards;
  if (guards) {
    const sel = selection ?? flow.choices.map(() => 0);
    return readCommands(
      step,
      flow.commands.filter((_, i) => guards[i].every((g) => sel[g.choice] === g.alt)),
      platform,
    );
  }
  const run = readCommands(step, flow.commands, platform);
  plain.set(step, run);
  return run;
}

/** What a step without undecided branches runs, for the platform it was read for. */
const plain = new WeakMap<Step, RunCommands>();

function readCommands(step: Step, cmds: readonly ShellCommand[], platform: string | null) {
  const hasCacheMount = (target: RegExp) =>
    step.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && target.test(f.value ?? ''));
  const writers: string[] = [];
  for (const cmd of cmds) if (!isQuiet(cmd)) writers.push(cmd.program || cmd.text);
  // apt lists: present after an `apt-get update` until a later `rm` removes them
  let listsLeft = false;
  for (const c of cmds) {
    if (isAptUpdate(c)) listsLeft = true;
    else if (removesAptLists(c)) listsLeft = false;
  }
  const aptUpdate = cmds.some(isAptUpdate);
  const aptOps = cmds.map(aptOp).filter((x): x is AptOp => x !== null);
  return {
    platform,
    aptInstalls: aptOps.flatMap((op) => (op.kind === 'install' ? [op.install] : [])),
    aptOps,
    aptUpdate,
    listsRemoved: aptUpdate ? !listsLeft : cmds.some(removesAptLists),
    listsInCacheMount: hasCacheMount(/\/var\/lib\/apt/),
    apkOps: cmds.map(apkOp).filter((x): x is ApkOp => x !== null),
    apkCacheRemoved: cmds.some(removesApkCache) || hasCacheMount(/\/var\/cache\/apk/),
    nodeInstalls: cmds.map(readNodeInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    nodeProduction: /NODE_ENV=production/.test(step.command),
    npmCacheCleaned: cmds.some(cleansNpmCache) || hasCacheMount(/\.npm|yarn|pnpm/),
    pipInstalls: cmds.map(readPipInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    pipNoCache: /PIP_NO_CACHE_DIR/.test(step.command) || hasCacheMount(/\.cache\/pip/),
    /** uv sync, poetry install, pipenv install: sized from their lockfile (./pip.ts). */
    pyLockInstalls: cmds.map(pyLockInstall).filter((x): x is DependencyCommand => x !== null),
    /** Programs whose writes are not estimated. */
    writers,
    /** chown, chmod, touch, setcap: they copy the files they change into the layer (./metadata.ts). */
    metadataCommands: cmds.filter((c) => readMetadataChange(c) !== null),
  };
}

/**
 * Runtimes and build tools: quiet only when they answer about themselves (`go version`, `java -version`) or run an
 * inline one-liner (`python -c`, `node -e`: checks, not builds); `go build -o`, `dotnet publish`, `python
 * manage.py collectstatic`, `node build.js` write what we cannot size.
 */
const TOOLS = /^(go|dotnet|java|node|python[\d.]*)$/;
const ABOUT_ITSELF = new Set([
  'version',
  'env',
  '--version',
  '-version',
  '-v',
  '-V',
  '--info',
  '--list-sdks',
  '--list-runtimes',
  '-c',
  '-e',
  '-p',
  '--eval',
  '--print',
]);

/** A command that writes (almost) nothing, or whose writes an estimator sizes. */
export function isQuiet(cmd: ShellCommand): boolean {
  const head = cmd.program;
  if (QUIET.has(head) || readNodeInstall(cmd) || readPipInstall(cmd) || pyLockInstall(cmd)) return true;
  if (TOOLS.test(head)) return cmd.words.length === 1 || ABOUT_ITSELF.has(cmd.words[1]);
  const pc = packageCommand(cmd);
  if ((pc?.tool === 'npm' || pc?.tool === 'yarn' || pc?.tool === 'pnpm') && /^(cache|config|set)$/.test(pc.sub ?? ''))
    return true;
  // `xargs apt-mark auto`: what xargs runs
  return head === 'xargs' && readAptMark(cmd) !== null;
}

/** Whether a command can change a RUN's estimate: a writer, a package manager, an `rm` (of lists, caches). */
export function affectsSize(cmd: ShellCommand): boolean {
  return (
    !isQuiet(cmd) ||
    packageCommand(cmd) !== null ||
    /^(apt-mark|rm|xargs|python[\d.]*|uv|poetry|pipenv)$/.test(cmd.program)
  );
}

/** `uv sync`, `poetry install|sync`, `pipenv install|sync`: an install from a Python lockfile. */
function pyLockInstall(cmd: ShellCommand): DependencyCommand | null {
  const d = dependencyCommand(cmd);
  return d && d.kind === 'install' && (d.ecosystem === 'uv' || d.ecosystem === 'poetry' || d.ecosystem === 'pipenv')
    ? d
    : null;
}

function aptOp(cmd: ShellCommand): AptOp | null {
  const install = readAptInstall(cmd);
  if (install) return { kind: 'install', install };
  const remove = readAptRemove(cmd);
  if (remove) return { kind: 'remove', remove };
  const mark = readAptMark(cmd);
  if (mark) return { kind: 'mark', mark };
  const w = cmd.words;
  if (cmd.program === 'apt-mark' && w[1] === 'showmanual' && w[2]?.startsWith(MANUAL_MARK))
    return { kind: 'save', mark: w[2] };
  return null;
}

function apkOp(cmd: ShellCommand): ApkOp | null {
  const add = readApkAdd(cmd);
  if (add) return { kind: 'add', add };
  const del = readApkDel(cmd);
  return del ? { kind: 'del', names: del } : null;
}

/** A RUN step's commands as the estimators read them. */
export type RunCommands = ReturnType<typeof readCommands>;

/** One `apk add` or `apk del`, in the order the RUN runs them. */
export type ApkOp = { kind: 'add'; add: ApkAdd } | { kind: 'del'; names: string[] };

/** What one estimator makes of a RUN's commands: the bytes they add, or null with the reason in `text`. */
export interface Estimate {
  bytes: number | null;
  text: string;
  /** The bytes leave something out (a package whose size or dependencies are not known): at least this much. */
  lowerBound?: boolean;
}
