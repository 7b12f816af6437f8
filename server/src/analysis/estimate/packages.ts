// Reading package-manager commands out of a RUN step's shell text: apt-get/apt, apk, npm/yarn/pnpm, pip.
// Pure parsing; the sizes are computed in run/.

import type { ShellCommand } from '../shell';

export interface AptInstall {
  packages: string[];
  noRecommends: boolean;
  /** Words we could not take as package names (variables, globs). */
  unreadable: string[];
}

const APT_OPTS_WITH_VALUE = new Set([
  '-o',
  '-t',
  '--target-release',
  '--default-release',
  '-c',
  '--config-file',
  '-q',
  '-a',
  '--host-architecture',
]);

/** `apt-get install -y --no-install-recommends curl=7.* git` -> packages [curl, git]. Null when not an install. */
export function readAptInstall(cmd: ShellCommand): AptInstall | null {
  const w = cmd.words;
  if (!/^(apt-get|apt)$/.test(basename(w[0] ?? ''))) return null;
  const out: AptInstall = { packages: [], noRecommends: false, unreadable: [] };
  let sub: string | null = null;
  for (let i = 1; i < w.length; i++) {
    const a = w[i];
    if (a.startsWith('-')) {
      if (a === '--no-install-recommends') out.noRecommends = true;
      const opt = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : APT_OPTS_WITH_VALUE.has(a) ? (w[++i] ?? '') : '';
      if ((opt === '-o' || opt === '--option') && /^APT::Install-Recommends=(false|0|no)$/i.test(value))
        out.noRecommends = true;
      continue;
    }
    if (sub === null) {
      sub = a;
      continue;
    }
    if (sub !== 'install') continue;
    const name = a.replace(/[=/][^]*$/, '').replace(/:[a-z0-9]+$/, '');
    if (!name || /[$*?[\]{}`]/.test(name)) out.unreadable.push(a);
    else out.packages.push(name.toLowerCase());
  }
  return sub === 'install' ? out : null;
}

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
  const w = cmd.words;
  if (!/^(apt-get|apt)$/.test(basename(w[0] ?? ''))) return null;
  const out: AptRemove = { packages: [], autoRemove: false, recommendsImportant: true, unreadable: [] };
  let sub: string | null = null;
  for (let i = 1; i < w.length; i++) {
    const a = w[i];
    if (a.startsWith('-')) {
      if (a === '--auto-remove' || a === '--autoremove') out.autoRemove = true;
      const opt = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : APT_OPTS_WITH_VALUE.has(a) ? (w[++i] ?? '') : '';
      if ((opt === '-o' || opt === '--option') && /^APT::AutoRemove::RecommendsImportant=(false|0|no)$/i.test(value))
        out.recommendsImportant = false;
      if ((opt === '-o' || opt === '--option') && /^APT::Get::AutomaticRemove=(true|1|yes)$/i.test(value))
        out.autoRemove = true;
      continue;
    }
    if (sub === null) sub = a;
    else if (sub === 'remove' || sub === 'purge') {
      const name = a.replace(/[=/][^]*$/, '').replace(/:[a-z0-9]+$/, '');
      if (!name || /[$*?[\]{}`]/.test(name)) out.unreadable.push(a);
      else out.packages.push(name.toLowerCase());
    }
  }
  if (sub === 'autoremove') out.autoRemove = true;
  return sub === 'remove' || sub === 'purge' || sub === 'autoremove' ? out : null;
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

export function isAptUpdate(cmd: ShellCommand): boolean {
  const w = cmd.words;
  return /^(apt-get|apt)$/.test(basename(w[0] ?? '')) && w.slice(1).some((a) => a === 'update');
}

/** `rm -rf /var/lib/apt/lists/*` (or the folder itself). */
export function removesAptLists(cmd: ShellCommand): boolean {
  return basename(cmd.words[0] ?? '') === 'rm' && cmd.words.some((a) => /^\/var\/lib\/apt\/lists(\/|\/\*|$)/.test(a));
}

export interface ApkAdd {
  packages: string[];
  noCache: boolean;
  /** `--virtual NAME` / `-t NAME`: the group these packages are installed under. */
  virtual: string | null;
  unreadable: string[];
}

export function readApkAdd(cmd: ShellCommand): ApkAdd | null {
  const w = cmd.words;
  if (basename(w[0] ?? '') !== 'apk' || w[1] !== 'add') return null;
  const out: ApkAdd = { packages: [], noCache: false, virtual: null, unreadable: [] };
  for (let i = 2; i < w.length; i++) {
    const a = w[i];
    if (a === '--no-cache') out.noCache = true;
    else if (a === '--virtual' || a === '-t') out.virtual = w[++i] ?? null;
    else if (a.startsWith('--virtual=')) out.virtual = a.slice('--virtual='.length);
    else if (a === '--repository' || a === '-X' || a === '--root' || a === '-p' || a === '--arch') i++;
    else if (a.startsWith('-')) continue;
    else {
      const name = a.replace(/[=<>~][^]*$/, '');
      if (!name || /[$*?`]/.test(name)) out.unreadable.push(a);
      else out.packages.push(name.toLowerCase());
    }
  }
  return out;
}

/** `apk del .build-deps` -> ['.build-deps']. */
export function readApkDel(cmd: ShellCommand): string[] | null {
  const w = cmd.words;
  if (basename(w[0] ?? '') !== 'apk' || w[1] !== 'del') return null;
  return w.slice(2).filter((a) => !a.startsWith('-'));
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
  const w = cmd.words;
  const tool = basename(w[0] ?? '');
  if (tool !== 'npm' && tool !== 'yarn' && tool !== 'pnpm') return null;
  const sub = w.slice(1).find((a) => !a.startsWith('-'));
  const isInstall =
    tool === 'yarn'
      ? sub === undefined || sub === 'install' || sub === 'add'
      : sub === 'ci' || sub === 'install' || sub === 'i' || sub === 'add' || sub === 'clean-install';
  if (!isInstall) return null;
  const args = w.slice(1);
  const subAt = sub === undefined ? -1 : args.indexOf(sub);
  const named = args.slice(subAt + 1).filter((a) => !a.startsWith('-'));
  const omitDev =
    args.some(
      (a) =>
        a === '--production' ||
        a === '--prod' ||
        a === '--omit=dev' ||
        a === '--only=production' ||
        a === '--only=prod',
    ) ||
    (args.includes('--omit') && args[args.indexOf('--omit') + 1] === 'dev');
  return { tool, named, omitDev };
}

export function cleansNpmCache(cmd: ShellCommand): boolean {
  const w = cmd.words;
  const tool = basename(w[0] ?? '');
  return (
    (tool === 'npm' && w[1] === 'cache' && w[2] === 'clean') ||
    (tool === 'yarn' && w[1] === 'cache' && w[2] === 'clean') ||
    (tool === 'rm' && w.some((a) => /(^|\/)\.npm(\/|$)|\/usr\/local\/share\/\.cache\/yarn|\/\.cache\/yarn/.test(a)))
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

/** pip install [-r requirements.txt] [pkg ...] (also `python -m pip install`, pip3, `uv pip install|sync`). */
export function readPipInstall(cmd: ShellCommand): PipInstall | null {
  let w = cmd.words;
  const head = basename(w[0] ?? '');
  const uv = head === 'uv' && w[1] === 'pip';
  if (/^python[\d.]*$/.test(head) && w[1] === '-m' && w[2] === 'pip') w = ['pip', ...w.slice(3)];
  else if (uv) w = ['pip', ...w.slice(2)];
  else if (!/^pip[\d.]*$/.test(head)) return null;
  if (w[1] !== 'install' && !(uv && w[1] === 'sync')) return null;
  const out: PipInstall = { requirementFiles: [], named: [], noCacheDir: false, uv, indexUrls: [] };
  for (let i = 2; i < w.length; i++) {
    const a = w[i];
    const index = /^(-i|--index-url|--extra-index-url|--index)(=|$)/.exec(a);
    if (index) out.indexUrls?.push(index[2] ? a.slice(index[0].length) : (w[++i] ?? ''));
    else if (uv && w[1] === 'sync' && !a.startsWith('-')) out.requirementFiles.push(a);
    else if (uv && a === '--no-cache') out.noCacheDir = true;
    else if (a === '-r' || a === '--requirement') out.requirementFiles.push(w[++i] ?? '');
    else if (a.startsWith('--requirement=')) out.requirementFiles.push(a.slice('--requirement='.length));
    else if (a.startsWith('-r') && a.length > 2) out.requirementFiles.push(a.slice(2));
    else if (a === '--no-cache-dir') out.noCacheDir = true;
    else if (
      [
        '-c',
        '--constraint',
        '-i',
        '--index-url',
        '--extra-index-url',
        '-f',
        '--find-links',
        '-t',
        '--target',
        '--prefix',
        '--root',
        '--platform',
        '--python-version',
      ].includes(a)
    )
      i++;
    else if (a.startsWith('-')) continue;
    else if (a === '.' || a.startsWith('./') || a.startsWith('/')) out.named.push(a);
    else out.named.push(a);
  }
  return out;
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
