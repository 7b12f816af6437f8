// What a RUN step writes into its layer, read from its shell text (shell.ts splits it into commands): the paths
// each command writes (redirections; mkdir, cp, mv, ln, tar -x, curl -o, ...; the install folders of package
// managers; `-o`/`--output`/`-w` outputs; the project folder and caches of builds; anything but the dependency
// stores for a project's own scripts such as `npm run build` or `rails assets:precompile`), each with
// what its content depends on: only the dependency manifests (`npm ci`, `cargo chef prepare`, `pip wheel -r`),
// only the command's text (`mkdir`, `rm`, `ln -s`), or anything the step can see. A command we cannot read (a
// script, `make`, a program we do not know) may write anywhere: then there is no list, and the reason names it.
//
// Paths are resolved against the step's WORKDIR and the `cd`s before them, with the variables the Dockerfile set
// (a path through one it did not set is cut at the folder above it). Writes under the step's own mounts (cache,
// tmpfs, bind, secret) do not reach the layer and are left out. The readers of each family of programs live in
// runWrites/: files.ts (file commands, system installers), node.ts, python.ts, builds.ts.
//
// Bounded: one pass over the step's commands, one nested level for `sh -c` and `bundle exec`-style wrappers, at most
// MAX_ENTRIES paths (reader.ts).

import type { Step } from './model';
import { normalizeAbs } from './paths';
import { commandsOf, shellCommand, splitCommands, type ShellCommand } from './shell';
import { mountsOf } from './sources';
import { BUILD_READERS } from './runWrites/builds';
import { FILE_READERS, QUIET, type CommandReader } from './runWrites/files';
import { NODE_READERS } from './runWrites/node';
import { PYTHON_READERS, readPip } from './runWrites/python';
import { Reader, type Vars, type WriteEntry } from './runWrites/reader';

export type { Vars, WriteBasis, WriteEntry } from './runWrites/reader';

export interface RunWrites {
  /** What the step writes; null when some command may write anywhere. */
  entries: readonly WriteEntry[] | null;
  /** The first command we could not read (shortened), when entries is null. */
  unknown: string | null;
}

const READERS = new Map<string, CommandReader>([...FILE_READERS, ...NODE_READERS, ...PYTHON_READERS, ...BUILD_READERS]);

/** Arguments that only ask a program about itself. */
const ABOUT_ITSELF = new Set(['--version', '-v', '-V', 'version', '--help', '-h', 'help', '--info', '-version']);
/** Wrappers that run the command after them (and how many words of their own they take). */
const WRAPPERS = new Map<string, number>([
  ['gosu', 1],
  ['su-exec', 1],
  ['chroot', 1],
  ['timeout', 1],
  ['tini', 0],
  ['xargs', -1],
]);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** What a RUN step writes. `vars`: the values of the variables the Dockerfile set, as the step sees them. */
export function runWrites(step: Step, vars: Vars): RunWrites {
  if (step.keyword !== 'RUN') return { entries: [], unknown: null };
  const r = new Reader(vars, step.workdir, readWords);
  // a `cd` inside a subshell may not last: keep both folders possible
  const subshells = /(^|[^$])\(/.test(step.command);
  const cmds = commandsOf(step);
  for (let k = 0; k < cmds.length; k++) {
    const cmd = cmds[k];
    r.group = k;
    readCommand(r, cmd, 0, subshells);
    // a command we cannot read settles it
    if (r.unknown !== null) break;
  }
  if (r.unknown !== null) return { entries: null, unknown: r.unknown };
  return { entries: withoutMounted(step, r.entries), unknown: null };
}

/** One simple command: its redirections, then what the program writes. */
function readCommand(r: Reader, cmd: ShellCommand, depth: number, subshells: boolean): void {
  const words = redirectionsRead(r, cmd);
  if (words.length === 0) return;
  if (words[0] === 'cd' || words[0] === 'pushd' || words[0] === 'popd') {
    r.cd(words[0] === 'cd' ? words.filter((w, i) => i > 0 && !w.startsWith('-'))[0] : undefined, subshells);
    return;
  }
  readWords(r, words, depth);
}

/** Reads a command given as words (after its redirections). */
function readWords(r: Reader, words: readonly string[], depth: number, project?: string): void {
  const cmd = shellCommand(words.slice(), words.join(' '));
  const program = programName(cmd.program);
  if (program === '' || QUIET.has(program)) return;
  // what a stripped prefix leaves: `command -v x` asks where x is; `env -i x` runs x
  if (program.startsWith('-')) {
    if (program === '-v' || program === '-V') return;
    const rest = words.findIndex((w) => !w.startsWith('-'));
    return rest < 0 ? undefined : readWords(r, words.slice(rest), depth + 1, project);
  }
  if (words.length > 1 && words.slice(1).every((w) => ABOUT_ITSELF.has(w))) return;
  if (readPip(r, cmd)) return;
  const wrapped = WRAPPERS.get(program);
  if (wrapped !== undefined) {
    if (wrapped < 0 || depth > 0) return r.cannot(cmd.text);
    return readWords(
      r,
      words.slice(1 + wrapped).filter((w) => w !== '--'),
      depth + 1,
      project,
    );
  }
  if (SHELLS.has(program)) return shellText(r, cmd, depth);
  const reader = READERS.get(program);
  if (reader && depth < 2) return reader(r, { ...cmd, program }, depth);
  // a package's own command line run from the project (`./node_modules/.bin/ng build`): a script of the project
  if (words[0].includes('node_modules/.bin/')) return r.project(program);
  if (project !== undefined) return r.project(project);
  r.cannot(cmd.text);
}

/** `sh -c 'TEXT'`: the commands of TEXT, one level deep; `sh script.sh` runs a script we cannot read. */
function shellText(r: Reader, cmd: ShellCommand, depth: number): void {
  const c = cmd.words.indexOf('-c');
  const text = c > 0 ? cmd.words[c + 1] : undefined;
  if (text === undefined || depth > 0) return r.cannot(cmd.text);
  const inner = /(^|[^$])\(/.test(text);
  for (const sub of splitCommands(text)) readCommand(r, sub, depth + 1, inner);
}

/** The program as the readers know it: `xx-cargo` (tonistiigi/xx) is cargo, `python3.12` is python. */
function programName(program: string): string {
  if (program.startsWith('xx-') && READERS.has(program.slice(3))) return program.slice(3);
  if (/^python[0-9.]*$/.test(program)) return 'python';
  if (/^(gradlew|mvnw)(\.bat)?$/.test(program)) return program.slice(0, program.indexOf('w') + 1);
  return program;
}

/**
 * The command's words without its redirections; each output redirection (`> f`, `>>f`, `2> f`, `&>f`) is a write
 * of its target. `2>&1` and input redirections write nothing.
 */
function redirectionsRead(r: Reader, cmd: ShellCommand): string[] {
  const out: string[] = [];
  const w = cmd.words;
  for (let i = 0; i < w.length; i++) {
    const m = /^(?:[0-9]*|&)(>>?|>\||<<?<?|<>)(.*)$/.exec(w[i].length <= 4096 ? w[i] : '');
    if (!m) {
      out.push(w[i]);
      continue;
    }
    const target = m[2] !== '' ? m[2] : (w[++i] ?? '');
    if (m[1].startsWith('<') && m[1] !== '<>') continue;
    if (target.startsWith('&') || target === '') continue;
    r.add(target, null, `${programName(cmd.program)} >`);
  }
  return out;
}

/** Mount targets a step's writes do not reach the layer through (every mount type: bind, cache, tmpfs, secret). */
function withoutMounted(step: Step, entries: WriteEntry[]): WriteEntry[] {
  const mounts = mountsOf(step);
  if (mounts.length === 0) return entries;
  const targets = mounts
    .filter((m) => m.target !== null && m.target !== '')
    .map((m) =>
      normalizeAbs((m.target as string).startsWith('/') ? (m.target as string) : `${step.workdir}/${m.target}`),
    );
  return entries.filter((e) => !targets.some((t) => t !== '/' && (e.path === t || e.path.startsWith(t + '/'))));
}
