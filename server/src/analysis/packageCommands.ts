// The one reader of package-manager commands (apt-get/apt, apk, npm/yarn/pnpm, pip in its spellings) for the rules,
// the estimates (estimate/run/) and the fixes: each tool's words read once, options before and after the subcommand,
// `--opt=value` and `--opt value`, combined short flags (`-yq`), pip's abbreviated long options (optparse takes any
// unambiguous prefix: `--no-cache` is `--no-cache-dir`), with each option's word index. Pure parsing; the sizes are
// computed in estimate/run/, the text edits in rewrite/runEdits.ts.

import type { ShellCommand } from './shell';

export interface AptInstall {
  packages: string[];
  noRecommends: boolean;
  /** Words we could not take as package names (variables, globs). */
  unreadable: string[];
}

/** `apt-get install -y --no-install-recommends curl=7.* git` -> packages [curl, git]. Null when not an install. */
export function readAptInstall(cmd: ShellCommand): AptInstall | null {
  const pc = packageCommand(cmd);
  if (pc?.tool !== 'apt' || pc.sub !== 'install') return null;
  const out: AptInstall = { packages: [], noRecommends: aptRecommendsOff(pc), unreadable: [] };
  aptNames(pc.operands, out);
  return out;
}

/** apt's package operands: `curl=7.*`, `git/bookworm-backports`, `libc6:amd64` -> names; variables and globs apart. */
function aptNames(operands: readonly string[], out: { packages: string[]; unreadable: string[] }): void {
  for (const a of operands) {
    const name = a.replace(/[=/][^]*$/, '').replace(/:[a-z0-9]+$/, '');
    if (!name || /[$*?[\]{}`]/.test(name)) out.unreadable.push(a);
    else out.packages.push(name.toLowerCase());
  }
}

/** --no-install-recommends, --install-recommends=no, -o APT::Install-Recommends=false (apt's boolean spellings). */
function aptRecommendsOff(pc: PackageCommand): boolean {
  return pc.options.some(
    (o) =>
      o.name === '--no-install-recommends' ||
      (o.name === '--install-recommends' && o.value !== null && FALSE.test(o.value)) ||
      (o.name === '-o' && /^APT::Install-Recommends=["']?(false|0|no|off)["']?$/i.test(o.value ?? '')),
  );
}

const FALSE = /^(false|0|no|off)$/i;

/** `apt-get remove|purge NAMES [--auto-remove]` and `apt-get autoremove`: what goes, and whether orphans go too. */
export interface AptRemove {
  packages: string[];
  /** --auto-remove, or `autoremove` itself: packages installed as dependencies that nothing needs any more go. */
  autoRemove: boolean;
  /** APT::AutoRemove::RecommendsImportant (default true): a package only recommended by one that stays, stays. */
  recommendsImportant: boolean;
  unreadable: string[];
}

/** `apt-get purge -y --auto-remove gcc` -> packages [gcc], autoRemove. Null when not a removal. */
export function readAptRemove(cmd: ShellCommand): AptRemove | null {
  const pc = packageCommand(cmd);
  const sub = pc?.tool === 'apt' ? pc.sub : null;
  if (!pc || (sub !== 'remove' && sub !== 'purge' && sub !== 'autoremove')) return null;
  const out: AptRemove = { packages: [], autoRemove: sub === 'autoremove', recommendsImportant: true, unreadable: [] };
  for (const o of pc.options) {
    if (o.name === '--auto-remove' || o.name === '--autoremove') out.autoRemove = true;
    if (o.name === '-o' && /^APT::AutoRemove::RecommendsImportant=(false|0|no)$/i.test(o.value ?? ''))
      out.recommendsImportant = false;
    if (o.name === '-o' && /^APT::Get::AutomaticRemove=(true|1|yes)$/i.test(o.value ?? '')) out.autoRemove = true;
  }
  if (sub === 'autoremove') return out;
  aptNames(pc.operands, out);
  return out;
}

/**
 * `apt-mark auto|manual NAMES` (also `xargs apt-mark auto` fed by `apt-mark showmanual`): which packages change
 * mark. `all`: a pattern every package matches (`'.*'`, or xargs after showmanual); `words`: the operands not read
 * as names or patterns (a variable not known here).
 */
export interface AptMark {
  manual: boolean;
  packages: string[];
  all: boolean;
  words: string[];
}

export function readAptMark(cmd: ShellCommand): AptMark | null {
  let w = cmd.words;
  if (basename(w[0] ?? '') === 'xargs') {
    const at = w.findIndex((x) => basename(x) === 'apt-mark');
    if (at < 0 || w.slice(1, at).some((x) => !x.startsWith('-'))) return null;
    if (w.length === at + 2 && w[at + 1] === 'auto') return { manual: false, packages: [], all: true, words: [] };
    w = w.slice(at);
  }
  if (basename(w[0] ?? '') !== 'apt-mark') return null;
  const args: string[] = [];
  for (let i = 1; i < w.length; i++) {
    // redirections: `> /dev/null`, `>/dev/null`, `2>&1`
    if (/^[0-9]*(>>?|<|&>>?)$/.test(w[i])) i++;
    else if (!/^[0-9]*(>|<|&>)/.test(w[i]) && !w[i].startsWith('-')) args.push(w[i]);
  }
  const sub = args[0];
  if (sub !== 'auto' && sub !== 'manual' && sub !== 'markauto' && sub !== 'unmarkauto') return null;
  const out: AptMark = { manual: sub === 'manual' || sub === 'unmarkauto', packages: [], all: false, words: [] };
  for (const a of args.slice(1)) {
    if (a === '.*' || a === '*' || a === '^.*$' || a === '~i') out.all = true;
    else if (/^[a-z0-9][a-z0-9+.-]*$/.test(a)) out.packages.push(a);
    else out.words.push(a);
  }
  return out;
}

/** apt-get's (or apt's) subcommand: `update` in `apt-get -qq update`; null when the command is not apt. */
export function aptSubcommand(cmd: ShellCommand): string | null {
  const pc = packageCommand(cmd);
  return pc?.tool === 'apt' ? pc.sub : null;
}

export function isAptUpdate(cmd: ShellCommand): boolean {
  return aptSubcommand(cmd) === 'update';
}

/** `rm -rf /var/lib/apt/lists/*` (or the folder itself, or /var/lib/apt). */
export function removesAptLists(cmd: ShellCommand): boolean {
  return (
    basename(cmd.words[0] ?? '') === 'rm' &&
    cmd.words.some((a) => /^\/var\/lib\/apt\/lists(\/|$)|^\/var\/lib\/apt\/?$/.test(a))
  );
}

export interface ApkAdd {
  packages: string[];
  noCache: boolean;
  /** `--virtual NAME` / `-t NAME`: the group these packages are installed under. */
  virtual: string | null;
  unreadable: string[];
}

/** `apk add`, its global options before or after the applet (`apk --no-cache add`, `apk -U add -t .deps gcc`). */
export function readApkAdd(cmd: ShellCommand): ApkAdd | null {
  const pc = packageCommand(cmd);
  if (pc?.tool !== 'apk' || pc.sub !== 'add') return null;
  const virtual = pc.options.filter((o) => o.name === '--virtual').pop();
  const out: ApkAdd = {
    packages: [],
    noCache: hasPackageOption(pc, '--no-cache'),
    virtual: virtual?.value ?? null,
    unreadable: [],
  };
  for (const a of pc.operands) {
    const name = a.replace(/[=<>~][^]*$/, '');
    if (!name || /[$*?`]/.test(name)) out.unreadable.push(a);
    else out.packages.push(name.toLowerCase());
  }
  return out;
}

/** `apk del .build-deps` -> ['.build-deps']. */
export function readApkDel(cmd: ShellCommand): string[] | null {
  const pc = packageCommand(cmd);
  return pc?.tool === 'apk' && pc.sub === 'del' ? pc.operands.slice() : null;
}

export function removesApkCache(cmd: ShellCommand): boolean {
  return basename(cmd.words[0] ?? '') === 'rm' && cmd.words.some((a) => /^\/var\/cache\/apk(\/|\/\*|$)/.test(a));
}

export interface NodeInstall {
  tool: 'npm' | 'yarn' | 'pnpm';
  /** Packages named on the command line (npm install express); empty for a lockfile install. */
  named: string[];
  omitDev: boolean;
}

/** npm ci / npm install / yarn [install] / pnpm install (and their production flags). */
export function readNodeInstall(cmd: ShellCommand): NodeInstall | null {
  const pc = packageCommand(cmd);
  if (!pc || (pc.tool !== 'npm' && pc.tool !== 'yarn' && pc.tool !== 'pnpm') || !isNodeInstall(pc)) return null;
  const named = pc.operands.slice();
  const omitDev = pc.options.some(
    (o) =>
      ((o.name === '--production' || o.name === '--prod' || o.name === '-P') && !FALSE.test(o.value ?? '')) ||
      (o.name === '--omit' && o.value === 'dev') ||
      (o.name === '--only' && /^prod(uction)?$/.test(o.value ?? '')),
  );
  return { tool: pc.tool, named, omitDev };
}

/** npm's spellings of install and ci (its aliases, typos included, as npm lists them). */
const NPM_INSTALLS = new Set(['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal']);
for (const s of ['isntall', 'add', 'ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean']) NPM_INSTALLS.add(s);

/** An install: npm/pnpm install, ci and their aliases; yarn alone (flags only, not --version/--help), install, add. */
function isNodeInstall(pc: PackageCommand): boolean {
  if (pc.tool === 'yarn') {
    if (pc.sub === null) return !pc.options.some((o) => /^(-v|--version|-h|--help)$/.test(o.name));
    return pc.sub === 'install' || pc.sub === 'add';
  }
  if (pc.tool === 'pnpm') return ['install', 'i', 'add', 'ci', 'clean-install'].includes(pc.sub ?? '');
  return NPM_INSTALLS.has(pc.sub ?? '');
}

/** npm/yarn/pnpm -g, --global, --location=global (yarn: `yarn global add`). */
export function nodeGlobal(pc: PackageCommand): boolean {
  return (
    pc.sub === 'global' ||
    pc.options.some(
      (o) => o.name === '-g' || o.name === '--global' || (o.name === '--location' && o.value === 'global'),
    )
  );
}

export function cleansNpmCache(cmd: ShellCommand): boolean {
  const pc = packageCommand(cmd);
  if (pc && (pc.tool === 'npm' || pc.tool === 'yarn')) return pc.sub === 'cache' && pc.operands[0] === 'clean';
  const w = cmd.words;
  return (
    basename(w[0] ?? '') === 'rm' &&
    w.some((a) => /(^|\/)\.npm(\/|$)|\/usr\/local\/share\/\.cache\/yarn|\/\.cache\/yarn/.test(a))
  );
}

export interface PipInstall {
  requirementFiles: string[];
  named: string[];
  noCacheDir: boolean;
  /** `uv pip install` / `uv pip sync` (uv's cache and no .pyc) rather than pip. */
  uv?: boolean;
  /** --index-url / --extra-index-url / --index values (`.../whl/cpu` picks torch's CPU build). */
  indexUrls?: string[];
}

const INDEX_OPTIONS = new Set(['-i', '--index-url', '--extra-index-url', '--index']);

/**
 * pip install [-r requirements.txt] [pkg ...] (also `python -m pip install`, pip3, pip3.11, and `uv pip install`,
 * `uv pip sync reqs.txt`, marked `uv`: uv has its own cache). Editable projects (`-e .`) count among the named.
 */
export function readPipInstall(cmd: ShellCommand): PipInstall | null {
  const pc = packageCommand(cmd);
  if (pc?.tool !== 'pip') return null;
  const uv = pc.launcher === 'uv';
  if (pc.sub !== 'install' && !(uv && pc.sub === 'sync')) return null;
  const noCacheDir = pipNoCacheDir(pc) || (uv && pc.options.some((o) => o.name === '--no-cache'));
  const out: PipInstall = { requirementFiles: [], named: [], noCacheDir, uv, indexUrls: [] };
  for (const o of pc.options) {
    if (o.name === '--requirement') out.requirementFiles.push(o.value ?? '');
    else if (o.name === '--editable') out.named.push(o.value ?? '');
    else if (INDEX_OPTIONS.has(o.name) && o.value) out.indexUrls?.push(o.value);
  }
  for (const a of pc.operands) (uv && pc.sub === 'sync' ? out.requirementFiles : out.named).push(a);
  return out;
}

/**
 * pip runs without its cache: --no-cache-dir (any abbreviation; pip refuses a value on the command line, the build
 * then fails and leaves no cache either), or PIP_NO_CACHE_DIR set for this command (pip takes any value as "off").
 */
export function pipNoCacheDir(pc: PackageCommand): boolean {
  return pc.options.some((o) => o.name === '--no-cache-dir') || /(^|\s)PIP_NO_CACHE_DIR=/.test(prefixOf(pc.command));
}

/** The text before the program: `PIP_NO_CACHE_DIR=1 ` in `PIP_NO_CACHE_DIR=1 pip install x`. */
function prefixOf(cmd: ShellCommand): string {
  const at = cmd.text.indexOf(cmd.words[0] ?? '');
  return at > 0 ? cmd.text.slice(0, at) : '';
}

/** Distribution names of a requirements file's lines (comments, options and URLs without #egg= skipped). */
export function requirementNames(text: string): string[] {
  const out: string[] = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.replace(/(^|\s)#[^]*$/, '').trim();
    if (!line || line.startsWith('-')) continue;
    const egg = /#egg=([A-Za-z0-9_.-]+)/.exec(line);
    const m = egg ? [egg[0], egg[1]] : /^([A-Za-z0-9][A-Za-z0-9_.-]*)/.exec(line);
    if (m) out.push(normalizePyName(m[1]));
  }
  return out;
}

export function normalizePyName(name: string): string {
  return name
    .replace(/\[[^]*$/, '')
    .replace(/[-_.]+/g, '-')
    .toLowerCase();
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

// ---------------------------------------------------------------------------------------------------------
// The words of one package-manager command, read once

export type PackageTool = 'apt' | 'apk' | 'npm' | 'yarn' | 'pnpm' | 'pip';

export interface PackageOption {
  /** As the tool takes it: the long option an abbreviation stands for (`--no-cache` -> `--no-cache-dir`), `-y`. */
  name: string;
  /** `--opt=value`, `--opt value` (for an option that takes one), `-tNAME`; null for a flag. */
  value: string | null;
  /** Index in the command's words of the word that holds the option. */
  at: number;
}

export interface PackageCommand {
  tool: PackageTool;
  command: ShellCommand;
  /** pip run as `python -m pip` or `uv pip`; null when the tool is the program. */
  launcher: 'python' | 'uv' | null;
  /** The subcommand (apt-get's command, apk's applet): the first word that is not an option or an option's value. */
  sub: string | null;
  /** Its index in the command's words; -1 when there is none. */
  subAt: number;
  /** Every option, before and after the subcommand, in order. */
  options: PackageOption[];
  /** The words after the subcommand that are neither options nor their values (package names, files). */
  operands: string[];
}

/** The package-manager command `cmd` runs, read once per command (commands are shared by RUN text); null if none. */
export function packageCommand(cmd: ShellCommand): PackageCommand | null {
  let hit = memo.get(cmd);
  if (hit === undefined) memo.set(cmd, (hit = readPackageCommand(cmd)));
  return hit;
}

const memo = new WeakMap<ShellCommand, PackageCommand | null>();

/** Whether the command has one of these options (names as the tool takes them: `--no-cache-dir`, `-g`). */
export function hasPackageOption(pc: PackageCommand, ...names: string[]): boolean {
  return pc.options.some((o) => names.includes(o.name));
}

/** The value of the last of these options given; null when none is. */
export function packageOptionValue(pc: PackageCommand, ...names: string[]): string | null {
  let value: string | null = null;
  for (const o of pc.options) if (names.includes(o.name)) value = o.value;
  return value;
}

/**
 * Pattern sources (for rewrite/runEdits.ts subcommandPattern) of the programs that run each tool as written in RUN
 * text; pip's also finds it after `python -m ` and `uv `.
 */
export const PROGRAM_PATTERN: Record<PackageTool, string> = {
  apt: 'apt(?:-get)?',
  apk: 'apk',
  npm: 'npm',
  yarn: 'yarn',
  pnpm: 'pnpm',
  pip: 'pip[0-9.]*',
};

/** How one tool reads its words. */
interface Grammar {
  /** Options that take the next word as their value when none is attached (`-o X`, `--network-timeout 600000`). */
  valued: ReadonlySet<string>;
  /** Long options a unique prefix stands for (pip, through optparse: `--no-cache`); others must match exactly. */
  longs?: readonly string[];
  /** Other spellings of an option, by the name used here (`-t` -> `--virtual` for apk). */
  aliases?: ReadonlyMap<string, string>;
}

function readPackageCommand(cmd: ShellCommand): PackageCommand | null {
  const w = cmd.words;
  const p = cmd.program;
  let tool: PackageTool | null = null;
  let start = 1;
  let launcher: PackageCommand['launcher'] = null;
  if (p === 'apt-get' || p === 'apt') tool = 'apt';
  else if (p === 'apk' || p === 'npm' || p === 'yarn' || p === 'pnpm') tool = p;
  else if (/^pip[0-9.]*$/.test(p)) tool = 'pip';
  else if (p === 'uv' && w[1] === 'pip') [tool, start, launcher] = ['pip', 2, 'uv'];
  else if (/^python[0-9.]*$/.test(p)) {
    const m = w.indexOf('-m');
    if (m > 0 && /^pip[0-9.]*$/.test(w[m + 1] ?? '') && w.slice(1, m).every((x) => x.startsWith('-')))
      [tool, start, launcher] = ['pip', m + 2, 'python'];
  }
  return tool ? readWords(cmd, tool, start, launcher) : null;
}

/** Options, subcommand and operands of the words from `start`, as `tool` reads them. */
function readWords(
  cmd: ShellCommand,
  tool: PackageTool,
  start: number,
  launcher: PackageCommand['launcher'],
): PackageCommand {
  const g = GRAMMARS[tool];
  const w = cmd.words;
  const out: PackageCommand = { tool, command: cmd, launcher, sub: null, subAt: -1, options: [], operands: [] };
  let onlyOperands = false;
  for (let i = start; i < w.length; i++) {
    const a = w[i];
    if (onlyOperands || a === '-' || !a.startsWith('-')) {
      if (out.subAt < 0) [out.sub, out.subAt] = [a, i];
      else out.operands.push(a);
    } else if (a === '--') onlyOperands = true;
    else if (a.startsWith('--')) i = readLong(g, w, i, out.options);
    else i = readShort(g, w, i, out.options);
  }
  return out;
}

/** `--name`, `--name=value`, `--name value`; returns the index of the last word it took. */
function readLong(g: Grammar, w: readonly string[], i: number, into: PackageOption[]): number {
  const eq = w[i].indexOf('=');
  const written = eq < 0 ? w[i] : w[i].slice(0, eq);
  const name = canonical(g, written);
  if (eq >= 0) into.push({ name, value: w[i].slice(eq + 1), at: i });
  else if (g.valued.has(name) && i + 1 < w.length) {
    into.push({ name, value: w[i + 1], at: i });
    return i + 1;
  } else into.push({ name, value: null, at: i });
  return i;
}

/** `-y`, `-yq` (flags combined), `-tNAME` or `-t NAME` (a short option that takes a value), `-q=2`. */
function readShort(g: Grammar, w: readonly string[], i: number, into: PackageOption[]): number {
  const a = w[i];
  for (let k = 1; k < a.length; k++) {
    const name = canonical(g, `-${a[k]}`);
    if (a[k + 1] === '=') {
      into.push({ name, value: a.slice(k + 2), at: i });
      return i;
    }
    if (!g.valued.has(name)) {
      into.push({ name, value: null, at: i });
      continue;
    }
    if (k + 1 < a.length) into.push({ name, value: a.slice(k + 1), at: i });
    else if (i + 1 < w.length) {
      into.push({ name, value: w[i + 1], at: i });
      return i + 1;
    } else into.push({ name, value: null, at: i });
    return i;
  }
  return i;
}

/** The option as the tool takes it: its main spelling, or the one long option a prefix stands for (pip). */
function canonical(g: Grammar, written: string): string {
  const alias = g.aliases?.get(written);
  if (alias) return alias;
  if (!g.longs || !written.startsWith('--') || g.longs.includes(written)) return written;
  let found: string | null = null;
  for (const l of g.longs) {
    if (!l.startsWith(written)) continue;
    if (found !== null) return written; // ambiguous: pip refuses it
    found = l;
  }
  return found === null ? written : (g.aliases?.get(found) ?? found);
}

const set = (...names: string[]): ReadonlySet<string> => new Set(names);
const aliases = (pairs: [string, string][]): ReadonlyMap<string, string> => new Map(pairs);

/** pip install's and pip's general long options, from pip's cli/cmdoptions.py and commands/install.py (pip 25). */
const PIP_VALUED = [
  '--requirement',
  '--constraint',
  '--build-constraint',
  '--requirements-from-script',
  '--editable',
  '--target',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--root',
  '--prefix',
  '--src',
  '--upgrade-strategy',
  '--config-settings',
  '--global-option',
  '--build-option',
  '--progress-bar',
  '--root-user-action',
  '--report',
  '--group',
  '--index-url',
  '--extra-index-url',
  '--find-links',
  '--uploaded-prior-to',
  '--no-binary',
  '--only-binary',
  '--all-releases',
  '--only-final',
  '--python',
  '--log',
  '--keyring-provider',
  '--proxy',
  '--retries',
  '--resume-retries',
  '--timeout',
  '--exists-action',
  '--trusted-host',
  '--cert',
  '--client-cert',
  '--cache-dir',
  '--use-feature',
  '--use-deprecated',
  '--wheel-dir',
  '--dest',
];

const PIP_ALIASES: [string, string][] = [
  ['-r', '--requirement'],
  ['-c', '--constraint'],
  ['-e', '--editable'],
  ['-t', '--target'],
  ['-i', '--index-url'],
  ['--pypi-url', '--index-url'],
  ['-f', '--find-links'],
  ['-U', '--upgrade'],
  ['-I', '--ignore-installed'],
  ['-C', '--config-settings'],
  ['-w', '--wheel-dir'],
  ['-d', '--dest'],
  ['--destination-dir', '--dest'],
  ['--destination-directory', '--dest'],
  ['--no-dependencies', '--no-deps'],
  ['--only-dependencies', '--only-deps'],
  ['--require-venv', '--require-virtualenv'],
  ['--log-file', '--log'],
  ['--local-log', '--log'],
  ['--source', '--src'],
  ['--source-dir', '--src'],
  ['--source-directory', '--src'],
  ['--default-timeout', '--timeout'],
];

const PIP_FLAGS = [
  '--help',
  '--debug',
  '--isolated',
  '--require-virtualenv',
  '--verbose',
  '--version',
  '--quiet',
  '--no-input',
  '--no-cache-dir',
  '--disable-pip-version-check',
  '--no-color',
  '--no-python-version-warning',
  '--break-system-packages',
  '--no-index',
  '--pre',
  '--prefer-binary',
  '--no-deps',
  '--only-deps',
  '--ignore-requires-python',
  '--no-build-isolation',
  '--check-build-dependencies',
  '--use-pep517',
  '--no-use-pep517',
  '--no-clean',
  '--require-hashes',
  '--dry-run',
  '--user',
  '--no-user',
  '--upgrade',
  '--force-reinstall',
  '--ignore-installed',
  '--compile',
  '--no-compile',
  '--no-warn-script-location',
  '--no-warn-conflicts',
  '--json',
];

const GRAMMARS: Record<PackageTool, Grammar> = {
  apt: {
    valued: set(
      '-o',
      '-c',
      '-t',
      '-a',
      '--target-release',
      '--default-release',
      '--config-file',
      '--host-architecture',
    ),
    aliases: aliases([['--option', '-o']]),
  },
  apk: {
    valued: set(
      ...['--virtual', '--repository', '--root', '--arch', '--keys-dir', '--repositories-file', '--cache-dir'],
      ...['--timeout', '--cache-max-age', '--wait', '--progress-fd', '--from'],
    ),
    aliases: aliases([
      ['-t', '--virtual'],
      ['-X', '--repository'],
      ['-p', '--root'],
      ['-U', '--update-cache'],
      ['--update', '--update-cache'],
    ]),
  },
  npm: {
    valued: set(
      ...['--prefix', '--omit', '--include', '--only', '--registry', '--cache', '--loglevel', '--workspace'],
      ...['--userconfig', '--globalconfig', '--tag', '--location', '--install-strategy', '--fetch-retries'],
      ...['--fetch-timeout', '--maxsockets', '--before', '--script-shell', '--otp', '--scope'],
    ),
    aliases: aliases([
      ['-C', '--prefix'],
      ['-w', '--workspace'],
    ]),
  },
  yarn: {
    valued: set(
      ...['--cwd', '--modules-folder', '--cache-folder', '--network-timeout', '--mutex', '--registry'],
      ...['--global-folder', '--link-folder', '--network-concurrency', '--child-concurrency', '--proxy'],
      ...['--https-proxy', '--use-yarnrc', '--preferred-cache-folder', '--otp'],
    ),
  },
  pnpm: {
    valued: set(
      ...['--dir', '--filter', '--store-dir', '--virtual-store-dir', '--modules-dir', '--lockfile-dir'],
      ...['--reporter', '--loglevel', '--registry', '--network-concurrency', '--child-concurrency'],
      ...['--workspace-concurrency'],
    ),
    aliases: aliases([
      ['-C', '--dir'],
      ['-F', '--filter'],
      ['-P', '--prod'],
    ]),
  },
  pip: {
    valued: new Set(PIP_VALUED),
    longs: [...PIP_VALUED, ...PIP_FLAGS, ...PIP_ALIASES.map(([a]) => a).filter((a) => a.startsWith('--'))],
    aliases: aliases(PIP_ALIASES),
  },
};
