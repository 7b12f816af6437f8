// What the shell's file commands write (mkdir, cp, mv, rm, ln, chmod, tar, curl -o, git clone, sed -i, ...) and
// the system installers (apt-get, apk, useradd, ...), for ../runWrites.ts. Each reader gets the command without
// its redirections and adds the paths it writes to the Reader; one it cannot follow marks the step unknown.

import type { ShellCommand } from '../shell';
import { withoutTrailing } from '../text';
import type { Reader, WriteBasis } from './reader';

export type CommandReader = (r: Reader, cmd: ShellCommand, depth: number) => void;

/** Folders a system package manager writes: not /usr/local (Debian and Alpine packages leave it to the admin). */
const SYSTEM_DIRS = [
  '/etc',
  '/var',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/lib32',
  '/usr/lib64',
  '/usr/libx32',
  '/usr/libexec',
  '/usr/include',
  '/usr/share',
  '/usr/src',
  '/usr/games',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/bin',
  '/sbin',
  '/opt',
  '/run',
  '/tmp',
  '/boot',
];

/** Splits a command's arguments into options and operands; `withValue`: options that take the next word. */
export function operandsOf(cmd: ShellCommand, withValue: ReadonlySet<string> = NONE): string[] {
  const out: string[] = [];
  const w = cmd.words;
  let options = true;
  for (let i = 1; i < w.length; i++) {
    const a = w[i];
    if (options && a === '--') options = false;
    else if (options && a.startsWith('-') && a !== '-') {
      if (withValue.has(a)) i++;
    } else out.push(a);
  }
  return out;
}

const NONE: ReadonlySet<string> = new Set();

/** The value of an option that takes one (`-t DIR`, `--target-directory=DIR`), or null. */
export function valueOf(cmd: ShellCommand, ...names: string[]): string | null {
  const w = cmd.words;
  let value: string | null = null;
  for (let i = 1; i < w.length; i++) {
    for (const n of names) {
      if (w[i] === n && i + 1 < w.length) value = w[i + 1];
      else if (n.startsWith('--') && w[i].startsWith(n + '=')) value = w[i].slice(n.length + 1);
    }
  }
  return value;
}

export function has(cmd: ShellCommand, ...names: string[]): boolean {
  return cmd.words.some((w, i) => i > 0 && names.some((n) => w === n || (n.startsWith('--') && w.startsWith(n + '='))));
}

/** Each operand, written with `basis`. */
function eachOperand(withValue: ReadonlySet<string>, basis: WriteBasis, replaces: boolean): CommandReader {
  return (r, cmd) => {
    for (const op of operandsOf(cmd, withValue)) r.add(op, basis, cmd.program, replaces);
  };
}

/** The files a command changes the metadata of (owner, mode, times, capabilities), as written. */
export interface MetadataChange {
  program: string;
  files: string[];
  /** -R: every file under each operand too. */
  recursive: boolean;
  /** `chown --from=OWNER`: only the files that OWNER has now change (which ones is not known here). */
  conditional: boolean;
}

const TOUCH_VALUES = new Set(['-d', '-t', '-r', '--date', '--reference']);

/**
 * chmod MODE FILE..., chown OWNER FILE..., chgrp GROUP FILE... (the operands after the first, unless --reference),
 * touch FILE..., setcap CAPS FILE (or -r FILE): what they change in place; null for any other command.
 */
export function readMetadataChange(cmd: ShellCommand): MetadataChange | null {
  const p = cmd.program;
  if (p === 'touch') return { program: p, files: operandsOf(cmd, TOUCH_VALUES), recursive: false, conditional: false };
  if (p === 'setcap') {
    const ops = operandsOf(cmd, new Set(['-n']));
    return { program: p, files: has(cmd, '-r') ? ops : ops.slice(1), recursive: false, conditional: false };
  }
  if (p !== 'chmod' && p !== 'chown' && p !== 'chgrp') return null;
  const ops = operandsOf(cmd, CHOWN_VALUES);
  // `chmod -x file`: an option-looking mode
  const modeAsOption = p === 'chmod' && cmd.words.slice(1).some((w) => /^-[rwxXst]+$/.test(w));
  const files = has(cmd, '--reference') || modeAsOption ? ops : ops.slice(1);
  const recursive = cmd.words.some((w, i) => i > 0 && (w === '--recursive' || /^-[a-zA-Z]*R[a-zA-Z]*$/.test(w)));
  return { program: p, files, recursive, conditional: p === 'chown' && has(cmd, '--from') };
}

const CHOWN_VALUES = new Set(['--from']);

const modeChange: CommandReader = (r, cmd) => {
  for (const f of readMetadataChange(cmd)?.files ?? []) r.add(f, 'command', cmd.program);
};

/** cp, mv, install, ln: the target folder (-t) or the last operand; `mv` also removes its sources. */
function copyLike(basis: WriteBasis): CommandReader {
  return (r, cmd) => {
    const withValue = new Set(['-t', '-S', '--suffix', '-m', '--mode', '-o', '--owner', '-g', '--group']);
    const ops = operandsOf(cmd, withValue);
    const dir = valueOf(cmd, '-t', '--target-directory');
    const p = cmd.program;
    if (p === 'install' && has(cmd, '-d', '--directory')) {
      for (const op of ops) r.add(op, 'command', p);
      return;
    }
    const at = r.entries.length;
    if (dir !== null) r.add(dir, basis, p);
    else if (p === 'ln' && ops.length === 1) r.add(ops[0].slice(ops[0].lastIndexOf('/') + 1) || '.', basis, p);
    else if (ops.length >= 2 || (ops.length === 1 && p !== 'ln')) r.add(ops[ops.length - 1], basis, p);
    else r.cannot(cmd.text);
    // what is read through a link is what its target holds (provenance.ts does not follow it)
    if (p === 'ln') for (let k = at; k < r.entries.length; k++) r.entries[k] = { ...r.entries[k], link: true };
    if (p === 'mv') for (const src of dir !== null ? ops : ops.slice(0, -1)) r.add(src, 'command', p, true);
  };
}

/** sed -i / --in-place: the files after the script; without it sed writes nothing. */
const sed: CommandReader = (r, cmd) => {
  const inPlace = cmd.words.slice(1).some((w) => /^-[a-zA-Z]*i/.test(w) || w.startsWith('--in-place'));
  if (!inPlace) return;
  const ops = operandsOf(cmd, new Set(['-e', '--expression', '-f', '--file', '-l']));
  const scriptGiven = has(cmd, '-e', '--expression', '-f', '--file');
  for (const f of scriptGiven ? ops : ops.slice(1)) r.add(f, null, 'sed -i');
};

/** tar: -x into -C (or the working folder); -c into -f; -t lists. Old-style `tar xzf FILE` too. */
const tar: CommandReader = (r, cmd) => {
  const w = cmd.words.slice(1);
  const clusters = w.filter((a, i) => (a.startsWith('-') && !a.startsWith('--')) || (i === 0 && /^[a-zA-Z]+$/.test(a)));
  const mode = (m: string, long: string) => clusters.some((c) => c.includes(m)) || w.includes(long);
  if (mode('t', '--list') && !mode('x', '--extract')) return;
  if (mode('x', '--extract') || w.includes('--get')) {
    const dir = valueOf(cmd, '-C', '--directory');
    if (dir !== null) r.add(dir, null, 'tar -x');
    else r.addRel('', null, 'tar -x');
    return;
  }
  const file = valueOf(cmd, '-f', '--file') ?? fileAfterCluster(w);
  if ((mode('c', '--create') || mode('r', '--append') || mode('u', '--update')) && file !== null && file !== '-')
    r.add(file, null, 'tar -c');
  else if (file !== '-') r.cannot(cmd.text);
};

/** `tar -czf out.tgz dir` / `tar czf out.tgz dir`: the word after the cluster that ends in f. */
function fileAfterCluster(w: string[]): string | null {
  const at = w.findIndex((a, i) => /f$/.test(a) && (a.startsWith('-') || i === 0) && !a.startsWith('--'));
  return at >= 0 && at + 1 < w.length ? w[at + 1] : null;
}

/** unzip FILE [-d DIR]. */
const unzip: CommandReader = (r, cmd) => {
  const dir = valueOf(cmd, '-d');
  if (dir !== null) r.add(dir, null, 'unzip');
  else r.addRel('', null, 'unzip');
};

/** The last path segment of a URL operand (`https://x/y/tool.tgz?z` -> `tool.tgz`), or null. */
function urlName(cmd: ShellCommand): string | null {
  const url = cmd.words.find((w) => w.includes('://'));
  if (!url) return null;
  const name = withoutTrailing(url.replace(/[?#].*$/, ''), '/');
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base && !name.endsWith('://' + base) ? base : null;
}

/** A short-option cluster ending in `letter` (`-fsSLo`), its value being the next word. */
function clusterValue(cmd: ShellCommand, letter: string): string | null {
  const w = cmd.words;
  for (let i = 1; i < w.length; i++) {
    if (w[i].startsWith('--') || !w[i].startsWith('-') || w[i].length < 2) continue;
    const at = w[i].indexOf(letter);
    if (at > 0 && /^[a-zA-Z]*$/.test(w[i].slice(1, at)))
      return at === w[i].length - 1 ? (w[i + 1] ?? null) : w[i].slice(at + 1);
  }
  return null;
}

/** curl -o FILE / -O (named after the URL) / --output-dir; without them it writes to stdout. */
const curl: CommandReader = (r, cmd) => {
  const out = valueOf(cmd, '--output') ?? clusterValue(cmd, 'o');
  const dir = valueOf(cmd, '--output-dir');
  if (out !== null && out !== '-') r.add(dir !== null && !out.startsWith('/') ? `${dir}/${out}` : out, null, 'curl');
  const remoteName =
    has(cmd, '--remote-name', '--remote-name-all') || cmd.words.some((w) => /^-[a-zA-Z]*O[a-zA-Z]*$/.test(w));
  if (!remoteName) return;
  const name = urlName(cmd);
  if (dir !== null) r.add(name ? `${dir}/${name}` : dir, null, 'curl');
  else if (name) r.add(name, null, 'curl');
  else r.addRel('', null, 'curl');
};

/** wget -O FILE / -P DIR / named after the URL in the working folder; -o writes its log. */
const wget: CommandReader = (r, cmd) => {
  if (has(cmd, '--spider')) return;
  const out = valueOf(cmd, '--output-document') ?? clusterValue(cmd, 'O');
  const log = valueOf(cmd, '--output-file') ?? clusterValue(cmd, 'o');
  if (log !== null) r.add(log, null, 'wget');
  if (out === '-') return;
  if (out !== null) {
    r.add(out, null, 'wget');
    return;
  }
  const dir = valueOf(cmd, '--directory-prefix') ?? clusterValue(cmd, 'P');
  const name = urlName(cmd);
  if (dir !== null) r.add(dir, null, 'wget');
  else if (name) r.add(name, null, 'wget');
  else r.addRel('', null, 'wget');
};

const GIT_VALUE_OPTIONS = new Set([
  '-b',
  '--branch',
  '--depth',
  '-o',
  '--origin',
  '-c',
  '--config',
  '--reference',
  '--filter',
  '-j',
  '--jobs',
  '--template',
  '--separate-git-dir',
  '-u',
  '--upload-pack',
  '--shallow-since',
  '--shallow-exclude',
  '-C',
]);
const GIT_READ_ONLY = new Set([
  'version',
  'log',
  'status',
  'rev-parse',
  'describe',
  'show',
  'ls-files',
  'diff',
  'help',
]);

/** git clone URL [DIR]; git config --global; git -C DIR ...; other subcommands write the work tree. */
const git: CommandReader = (r, cmd) => {
  const ops = operandsOf(cmd, GIT_VALUE_OPTIONS);
  const sub = ops[0];
  const at = valueOf(cmd, '-C');
  if (sub === undefined || GIT_READ_ONLY.has(sub) || has(cmd, '--version')) return;
  if (sub === 'config') {
    if (has(cmd, '--global', '--system')) r.caches(null, 'git config');
    else if (at !== null) r.add(`${at}/.git`, null, 'git config');
    else r.addRel('.git', null, 'git config');
    return;
  }
  if (sub === 'clone') {
    const dest = ops[2] ?? (ops[1] ? withoutTrailing(ops[1], '/').replace(/\.git$/, '') : undefined);
    const name = dest?.includes('://') || dest?.includes(':') ? dest.slice(dest.search(/[^/:]+$/)) : dest;
    if (name) r.add(at !== null && !name.startsWith('/') ? `${at}/${name}` : name, null, 'git clone');
    else r.cannot(cmd.text);
    return;
  }
  if (at !== null) r.add(at, null, `git ${sub}`);
  else r.addRel('', null, `git ${sub}`);
};

/** find PATH... with -delete or -exec of a file command writes under its paths; other -exec we cannot follow. */
const find: CommandReader = (r, cmd) => {
  const w = cmd.words;
  const exec = w.findIndex((a) => a === '-exec' || a === '-execdir' || a === '-ok' || a === '-okdir');
  const deletes = w.includes('-delete');
  const prints = w.findIndex((a) => a === '-fprint' || a === '-fprint0' || a === '-fprintf' || a === '-fls');
  if (prints >= 0 && w[prints + 1]) r.add(w[prints + 1], null, 'find');
  if (exec < 0 && !deletes) return;
  const program = exec >= 0 ? (w[exec + 1] ?? '').slice((w[exec + 1] ?? '').lastIndexOf('/') + 1) : 'rm';
  const basis: WriteBasis | undefined = FILE_EXEC.get(program);
  if (basis === undefined) {
    r.cannot(cmd.text);
    return;
  }
  const starts: string[] = [];
  for (let i = 1; i < w.length && !/^[-(!]/.test(w[i]); i++) starts.push(w[i]);
  for (const s of starts.length ? starts : ['.']) r.add(s, basis, 'find');
};

/** Programs `find -exec` may run that write only the files it finds. */
const FILE_EXEC = new Map<string, WriteBasis>([
  ['rm', 'command'],
  ['chmod', 'command'],
  ['chown', 'command'],
  ['chgrp', 'command'],
  ['touch', 'command'],
  ['sed', null],
  ['strip', null],
  ['mv', null],
]);

/** useradd/adduser and friends: the account files, home folders, and a home named on the command line. */
/** Options of useradd/adduser/groupadd/addgroup (shadow-utils, Debian's adduser, BusyBox) that take a value. */
const ACCOUNT_VALUES = new Set([
  ...['-u', '-g', '-G', '-d', '-s', '-c', '-k', '-e', '-f', '-K', '-p', '-h', '-b', '-Z', '-R', '-P'],
  ...['--uid', '--gid', '--groups', '--home-dir', '--home', '--shell', '--comment', '--gecos', '--ingroup'],
  ...['--skel', '--expiredate', '--inactive', '--key', '--password', '--base-dir', '--root', '--prefix'],
  ...['--firstuid', '--lastuid', '--firstgid', '--lastgid', '--conf', '--add_extra_groups'],
]);

/**
 * The user or group an account command creates: `useradd -m app`, `adduser -D -S app`, `groupadd -g 10001 app`,
 * `addgroup --system app` -> { kind, name }; null for other commands (usermod, deluser) or when the name is not a
 * plain word. A user created by useradd/adduser also gets a group of its name unless told otherwise (Debian's
 * USERGROUPS_ENAB, BusyBox's adduser; Debian's `adduser --system` only with --group); `group` says so.
 */
export function createdAccount(cmd: ShellCommand): { user: string | null; group: string | null } | null {
  const p = cmd.program;
  if (p !== 'useradd' && p !== 'adduser' && p !== 'groupadd' && p !== 'addgroup') return null;
  const ops = operandsOf(cmd, ACCOUNT_VALUES);
  // Debian's `adduser user group` adds an existing user to a group; `addgroup user group` likewise
  if (ops.length !== 1 || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(ops[0])) return null;
  const name = ops[0];
  if (p === 'groupadd' || p === 'addgroup') return { user: null, group: name };
  // a primary group named (useradd -g, Debian's adduser --ingroup/--gid, BusyBox's adduser -G): no group of its own
  const ownGroup =
    p === 'useradd'
      ? !has(cmd, '-N', '--no-user-group', '-g', '--gid')
      : !has(cmd, '--ingroup', '--gid', '-G', '--no-create-group') && (!has(cmd, '--system') || has(cmd, '--group'));
  return { user: name, group: ownGroup ? name : null };
}

const accounts: CommandReader = (r, cmd) => {
  for (const d of ['/etc', '/home', '/var']) r.addAbs(d, null, cmd.program);
  const home = valueOf(cmd, '-d', '--home-dir', '--home') ?? (cmd.program === 'adduser' ? valueOf(cmd, '-h') : null);
  if (home !== null) r.add(home, null, cmd.program);
};

/** System package managers and the tools they run: the system folders. */
const system: CommandReader = (r, cmd) => {
  for (const d of SYSTEM_DIRS) r.addAbs(d, null, cmd.program);
};

/** gzip FILE writes FILE.gz and removes FILE (gunzip the other way); -c writes to stdout. */
const compress: CommandReader = (r, cmd) => {
  if (has(cmd, '-c', '--stdout', '-t', '--test', '-l', '--list')) return;
  for (const op of operandsOf(cmd, new Set(['-S', '--suffix']))) {
    r.add(op, 'command', cmd.program, true);
    r.add(op.replace(/\.(gz|tgz|xz|bz2|zst|lz4)$/, ''), null, cmd.program);
    r.add(`${op}.gz`, null, cmd.program);
  }
};

/** gpg: its home folder, and --output / -o. */
const gpg: CommandReader = (r, cmd) => {
  r.caches(null, 'gpg');
  const out = valueOf(cmd, '-o', '--output');
  if (out !== null && out !== '-') r.add(out, null, 'gpg');
};

/** dd of=FILE. */
const dd: CommandReader = (r, cmd) => {
  const of = cmd.words.find((w) => w.startsWith('of='));
  if (of) r.add(of.slice(3), null, 'dd');
};

/** Commands that write nothing to the filesystem (their redirections are read apart). */
export const QUIET = new Set([
  'echo',
  'printf',
  'true',
  'false',
  ':',
  'set',
  'export',
  'unset',
  'test',
  '[',
  '[[',
  ']',
  ']]',
  'sleep',
  'which',
  'type',
  'hash',
  'exit',
  'return',
  'id',
  'whoami',
  'groups',
  'ls',
  'cat',
  'pwd',
  'uname',
  'date',
  'head',
  'tail',
  'wc',
  'du',
  'df',
  'stat',
  'grep',
  'egrep',
  'fgrep',
  'sort',
  'uniq',
  'cut',
  'tr',
  'basename',
  'dirname',
  'readlink',
  'realpath',
  'seq',
  'expr',
  'yes',
  'nproc',
  'getconf',
  'file',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'cmp',
  'diff',
  'source',
  '.',
  'fi',
  'for',
  'done',
  'esac',
  'case',
  'elif',
  'in',
  'local',
  'readonly',
  'declare',
  'typeset',
  'shift',
  'trap',
  'umask',
  'ulimit',
  'wait',
  'break',
  'continue',
  'read',
  'getent',
  'ldd',
  'sync',
  'tty',
  // tonistiigi/xx: they print what the target platform is, or check a binary's
  'xx-info',
  'xx-verify',
]);

export const FILE_READERS = new Map<string, CommandReader>([
  ['mkdir', eachOperand(new Set(['-m', '--mode']), 'command', false)],
  ['touch', modeChange],
  ['rm', eachOperand(NONE, 'command', true)],
  ['rmdir', eachOperand(NONE, 'command', true)],
  ['unlink', eachOperand(NONE, 'command', true)],
  ['chmod', modeChange],
  ['chown', modeChange],
  ['chgrp', modeChange],
  ['cp', copyLike(null)],
  ['mv', copyLike(null)],
  ['install', copyLike(null)],
  ['ln', copyLike('command')],
  ['tee', eachOperand(NONE, null, false)],
  ['sed', sed],
  ['tar', tar],
  ['unzip', unzip],
  ['curl', curl],
  ['wget', wget],
  ['git', git],
  ['find', find],
  ['strip', eachOperand(NONE, null, false)],
  ['dd', dd],
  ['gpg', gpg],
  ['gzip', compress],
  ['gunzip', compress],
  ['xz', compress],
  ['unxz', compress],
  ['bzip2', compress],
  ['bunzip2', compress],
  ['zstd', compress],
  ...['useradd', 'adduser', 'groupadd', 'addgroup', 'usermod', 'userdel', 'deluser', 'groupdel', 'delgroup'].map(
    (p): [string, CommandReader] => [p, accounts],
  ),
  ...['passwd', 'chpasswd', 'chsh'].map((p): [string, CommandReader] => [p, accounts]),
  ...[
    'apt-get',
    'apt',
    'aptitude',
    'dpkg',
    'dpkg-reconfigure',
    'apk',
    'yum',
    'dnf',
    'microdnf',
    'rpm',
    'zypper',
    'pacman',
    'update-ca-certificates',
    'ldconfig',
    'locale-gen',
    'localedef',
    'update-locale',
    'update-alternatives',
    'debconf-set-selections',
    'add-apt-repository',
    'apt-key',
    'setcap',
  ].map((p): [string, CommandReader] => [p, system]),
]);
