// The state of reading one RUN step's writes (../runWrites.ts): the working folder(s) its commands run in, the
// variables the Dockerfile set (ENV, ARG), and the paths written so far, each with what its content depends on.
// The command readers (files.ts, tools.ts) add to it; a command they cannot read marks the whole step unknown.

import { normalizeAbs } from '../paths';
import { withoutTrailing } from '../text';

/**
 * What the content written at a path depends on: 'manifests' when only the dependency manifests (and the base image,
 * build args) decide it (`npm ci`, `cargo chef prepare`, `pip wheel -r`); 'command' when only the command's own text
 * does (`mkdir`, `rm`, `chmod`, `ln -s`); null when anything the step can see may (a build, `cp`, a redirection).
 */
export type WriteBasis = 'manifests' | 'command' | null;

export interface WriteEntry {
  /** Absolute and normalised: a file, or a folder and everything under it. */
  path: string;
  basis: WriteBasis;
  /** The write replaces whatever was at the path before (a file written anew, a folder emptied first, a removal). */
  replaces: boolean;
  /** The command, for reasons: `npm ci`, `cargo chef prepare`. */
  by: string;
  /** For 'manifests': manifest names the command reads besides the usual ones (`pip wheel -r deps.txt`). */
  manifests?: readonly string[];
  /** Which command of the step wrote it (entries of one command refine each other; see provenance.ts). */
  group: number;
  /** Folders under `path` this write leaves alone (a project's script and the dependency stores). */
  except?: readonly string[];
  /** A symbolic or hard link made at `path`: what is read through it is what its target holds. */
  link?: boolean;
}

/** A variable's value as the Dockerfile set it (ENV, ARG); undefined when it did not (the base image may have). */
export type Vars = (name: string) => string | undefined;

/** Paths one RUN may write before we stop listing them and call it unknown. */
const MAX_ENTRIES = 128;
/** Working folders one RUN may be in at once (a `cd` inside a subshell leaves both possible). */
const MAX_CWDS = 4;

/** Home folders and caches every package tool may write (the user's home, temporary files). */
const HOME_DIRS = ['/root', '/home', '/tmp', '/var/tmp', '/usr/local/share/.cache'];
/** Variables that move a tool's home, cache or config folder. */
const CACHE_VARS = [
  'HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_CONFIG_HOME',
  'NPM_CONFIG_CACHE',
  'npm_config_cache',
  'YARN_CACHE_FOLDER',
  'PNPM_HOME',
  'COREPACK_HOME',
  'PIP_CACHE_DIR',
  'UV_CACHE_DIR',
  'POETRY_CACHE_DIR',
  'GOCACHE',
  'GRADLE_USER_HOME',
  'NUGET_PACKAGES',
  'DOTNET_CLI_HOME',
  'COMPOSER_HOME',
  'COMPOSER_CACHE_DIR',
  'BUNDLE_USER_HOME',
  'MAVEN_CONFIG',
];

/** Folders only dependency installs write (gems, Go modules, Cargo's registry), in the official images' layout. */
const DEPENDENCY_STORES = [
  '/usr/local/bundle',
  '/usr/local/lib/ruby/gems',
  '/usr/lib/ruby/gems',
  '/var/lib/gems',
  '/go/pkg/mod',
  '/root/go/pkg/mod',
  '/usr/local/cargo/registry',
  '/usr/local/cargo/git',
  '/root/.cargo/registry',
  '/root/.cargo/git',
];

export class Reader {
  /** The command of the step being read (see WriteEntry.group). */
  group = 0;
  /** The working folders the next command may run in; null once a `cd` went where we cannot tell. */
  cwds: string[] | null;
  readonly entries: WriteEntry[] = [];
  /** The first command we could not read (as written), once there is one. */
  unknown: string | null = null;

  constructor(
    readonly vars: Vars,
    workdir: string,
    /**
     * Reads a command given as words (`bundle exec rake x`, `npx turbo prune`); one we do not know is unknown, or,
     * with `project`, a script of the project that writes its folder and caches.
     */
    readonly readWords: (r: Reader, words: readonly string[], depth: number, project?: string) => void,
  ) {
    this.cwds = workdir.startsWith('/') ? [normalizeAbs(workdir)] : null;
  }

  /** Marks the step unknown: `text` may write anywhere. */
  cannot(text: string): void {
    if (this.unknown === null) this.unknown = text.length > 60 ? text.slice(0, 57) + '...' : text;
  }

  /**
   * The absolute paths a word names (relative ones against the working folders); null when we cannot tell. `exact`
   * is false when the word was cut at a part we cannot read: the path is then the folder that holds what it names.
   */
  resolve(word: string): { paths: string[]; exact: boolean } | null {
    if (word === '' || word.includes('\\') || /^[A-Za-z]:/.test(word)) return null;
    if (word === '~' || word.startsWith('~/')) {
      // the user's home: /root, or one under /home when the Dockerfile did not say
      const home = this.vars('HOME');
      if (home?.startsWith('/')) return { paths: [normalizeAbs(home + '/' + word.slice(1))], exact: true };
      return { paths: [normalizeAbs('/root/' + word.slice(1)), '/home'], exact: false };
    }
    const { text, exact } = this.substitute(word);
    if (text === '') return null;
    if (text.startsWith('/')) return { paths: [normalizeAbs(text)], exact };
    if (this.cwds === null) return null;
    return { paths: this.cwds.map((c) => normalizeAbs(c + '/' + text)), exact };
  }

  /**
   * The word with the variables the Dockerfile set substituted, cut before the first part we cannot read (another
   * variable, a command substitution, a glob) at the folder that holds it: `/out/$NAME` -> `/out`. '' when the cut
   * leaves nothing (`$DEST/app`: could be anywhere); `.` when a relative word is cut at its start.
   */
  private substitute(word: string): { text: string; exact: boolean } {
    let out = '';
    for (let i = 0; i < word.length; i++) {
      const c = word[i];
      if (c === '$') {
        const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(word.slice(i, i + 130));
        const value = m ? this.vars(m[1] ?? m[2]) : undefined;
        if (m && value !== undefined && !/[$`*?[]/.test(value)) {
          out += value;
          i += m[0].length - 1;
          continue;
        }
        return { text: cut(out), exact: false };
      }
      if (c === '`' || c === '*' || c === '?' || c === '[') return { text: cut(out), exact: false };
      out += c;
    }
    return { text: out, exact: true };
  }

  /** Adds what a word names. */
  add(word: string, basis: WriteBasis, by: string, replaces = false, manifests?: readonly string[]): void {
    const got = this.resolve(word);
    if (got === null) {
      this.cannot(`${by} ${word}`);
      return;
    }
    // a cut word names part of the folder: it does not replace the folder
    for (const p of got.paths) this.addAbs(p, basis, by, replaces && got.exact, manifests);
  }

  /** Adds a path relative to the working folders (`node_modules`); '' for the working folder itself. */
  addRel(rel: string, basis: WriteBasis, by: string, replaces = false): void {
    if (this.cwds === null) {
      this.cannot(by);
      return;
    }
    for (const c of this.cwds) this.addAbs(normalizeAbs(c + '/' + rel), basis, by, replaces);
  }

  addAbs(path: string, basis: WriteBasis, by: string, replaces = false, manifests?: readonly string[]): void {
    this.push(
      manifests
        ? { path, basis, replaces, by, manifests, group: this.group }
        : { path, basis, replaces, by, group: this.group },
    );
  }

  /** Adds an entry as it is (devices and kernel files are not layer content). */
  push(entry: WriteEntry): void {
    if (/^\/(dev|proc|sys)(\/|$)/.test(entry.path)) return;
    if (this.entries.length >= MAX_ENTRIES) {
      this.cannot(`${entry.by} (more than ${MAX_ENTRIES} paths)`);
      return;
    }
    this.entries.push(entry);
  }

  /** The home, cache and temporary folders a package tool writes. */
  caches(basis: WriteBasis, by: string): void {
    for (const d of HOME_DIRS) this.addAbs(d, basis, by);
    for (const v of CACHE_VARS) {
      const value = this.vars(v);
      if (value?.startsWith('/')) this.add(value, basis, by);
    }
  }

  /** A variable's value as a folder (relative ones against the working folders), when the Dockerfile set it. */
  dirVar(name: string): string | null {
    const v = this.vars(name);
    return v === undefined || v === '' ? null : v;
  }

  /**
   * What a project's own script writes (`npm run build`, `rails assets:precompile`, `python manage.py ...`): anything
   * (an Angular build writes beside its folder, a webpack build into node_modules/.cache), except the dependency
   * stores that only installs fill: the gem folders, the Go module cache, Cargo's registry.
   */
  project(by: string): void {
    const except: string[] = [];
    for (const v of ['BUNDLE_PATH', 'GEM_HOME', 'GOMODCACHE']) {
      const got = this.resolve(this.vars(v) ?? '');
      if (got?.exact) except.push(...got.paths);
    }
    for (const rel of ['vendor/bundle']) for (const c of this.cwds ?? []) except.push(normalizeAbs(`${c}/${rel}`));
    except.push(...DEPENDENCY_STORES);
    this.push({ path: '/', basis: null, replaces: false, by, group: this.group, except });
  }

  /** `cd DIR`: the working folders after it; `keepOld` inside a subshell (the folder may be the old one again). */
  cd(word: string | undefined, keepOld: boolean): void {
    const next = word === undefined || word === '-' ? null : this.resolve(word);
    if (next === null || !next.exact) {
      this.cwds = null;
      return;
    }
    const all = keepOld && this.cwds ? [...new Set([...this.cwds, ...next.paths])] : next.paths;
    this.cwds = all.length > MAX_CWDS ? null : all;
  }
}

/** A path cut before a part we cannot read: the folder holding that part ('' for none, '.' for a relative start). */
function cut(prefix: string): string {
  const slash = prefix.lastIndexOf('/');
  if (slash < 0) return prefix === '' ? '' : '.';
  return slash === 0 ? '/' : prefix.slice(0, slash);
}

/** `dir/rel` ('' or '.' for `dir` itself). */
export function joinRel(dir: string, rel: string): string {
  if (rel === '' || rel === '.') return dir;
  return dir === '.' ? rel : `${withoutTrailing(dir, '/')}/${rel}`;
}

/** The folder of a path as written (`a/b/Cargo.toml` -> `a/b`, `pom.xml` -> `.`). */
export function dirOf(word: string): string {
  const at = word.lastIndexOf('/');
  return at < 0 ? '.' : at === 0 ? '/' : word.slice(0, at);
}
