// What a RUN's shell knows before the build, for deciding its `if` and `case` branches (./flow.ts): the values of
// its variables and of the simple tests it runs.
// - Variables: the Dockerfile's ARG and ENV values in force (Step.vars, --build-arg values included; an ARG declared
//   without a value is unset), what the RUN assigns itself, and the target platform: `dpkg --print-architecture`,
//   `uname -m`, `apk --print-arch` and the TARGETARCH family of build args. A name the file does not declare (the
//   base image's environment may set it), a command substitution we do not know, an expansion other than $X, ${X},
//   ${X:-w}, ${X-w}, ${X:+w}, ${X+w} and ${X#*c}-style trims: unknown.
// - Tests: `[ ... ]`, `[[ ... ]]` and `test` with `-n`, `-z`, `=`, `==`, `!=`, a single word, `!`; anything else
//   (files, numbers, -a/-o) is undecided.
// Bounded: every function is one pass over its words; the glob matcher is the linear-backtracking one (no regex).

import { expand, referencedVariables, type Scope } from '../../variables';

/** A value the analysis cannot know before the build. */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Value = string | typeof UNKNOWN;
/** A decided test or condition: true, false, or undecided. */
export type Tri = 'T' | 'F' | 'U';

/** The platform a stage builds for when its FROM has no --platform (BuildKit's default on the usual machines). */
export const DEFAULT_PLATFORM = 'linux/amd64';

/** How the target architecture is spelled by the tools a RUN asks. */
export interface Arch {
  platform: string;
  /** GOARCH-style, as TARGETARCH. */
  arch: string;
  variant: string;
  dpkg: string;
  uname: string;
  apk: string;
}

const ARCHES: Record<string, Omit<Arch, 'platform'>> = {
  amd64: { arch: 'amd64', variant: '', dpkg: 'amd64', uname: 'x86_64', apk: 'x86_64' },
  arm64: { arch: 'arm64', variant: '', dpkg: 'arm64', uname: 'aarch64', apk: 'aarch64' },
  'arm/v7': { arch: 'arm', variant: 'v7', dpkg: 'armhf', uname: 'armv7l', apk: 'armv7' },
  'arm/v6': { arch: 'arm', variant: 'v6', dpkg: 'armel', uname: 'armv6l', apk: 'armhf' },
  '386': { arch: '386', variant: '', dpkg: 'i386', uname: 'i686', apk: 'x86' },
  ppc64le: { arch: 'ppc64le', variant: '', dpkg: 'ppc64el', uname: 'ppc64le', apk: 'ppc64le' },
  s390x: { arch: 's390x', variant: '', dpkg: 's390x', uname: 's390x', apk: 's390x' },
  riscv64: { arch: 'riscv64', variant: '', dpkg: 'riscv64', uname: 'riscv64', apk: 'riscv64' },
};

/** The target architecture of a stage from its FROM --platform (null or empty: the default); null if not known. */
export function targetArch(platform: string | null): Arch | null {
  const p = (platform || DEFAULT_PLATFORM).trim().toLowerCase();
  const m = /^(?:linux\/)?([a-z0-9]+)(?:\/(v\d+))?$/.exec(p);
  if (!m) return null;
  let key = m[1] === 'arm' ? `arm/${m[2] ?? 'v7'}` : m[1];
  if (key === 'x86_64') key = 'amd64';
  if (key === 'aarch64') key = 'arm64';
  const a = ARCHES[key];
  return a ? { platform: `linux/${key}`, ...a } : null;
}

/** Build args BuildKit sets from the target platform (when the stage declares them without a value). */
function platformArg(name: string, a: Arch): string | undefined {
  switch (name) {
    case 'TARGETPLATFORM':
      return a.platform;
    case 'TARGETOS':
      return 'linux';
    case 'TARGETARCH':
      return a.arch;
    case 'TARGETVARIANT':
      return a.variant;
    default:
      return undefined;
  }
}

/** What `$(...)` of these commands prints, for the target architecture (whitespace collapsed). */
function substitutionValue(inner: string, a: Arch | null): Value {
  const cmd = inner.replace(/\s+/g, ' ').trim();
  if (!a) return UNKNOWN;
  if (cmd === 'dpkg --print-architecture' || /^dpkg --print-architecture \| awk -F- '\{ ?print \$NF ?\}'$/.test(cmd))
    return a.dpkg;
  if (cmd === 'uname -m' || cmd === 'arch') return a.uname;
  if (cmd === 'apk --print-arch') return a.apk;
  return UNKNOWN;
}

/** The inner command of a word that is one command substitution (`$(cmd)` or `` `cmd` ``), else null. */
export function substitutionOf(word: string): string | null {
  if (word.startsWith('$(') && word.endsWith(')') && word.indexOf(')') === word.length - 1) return word.slice(2, -1);
  if (word.length > 1 && word.startsWith('`') && word.endsWith('`') && word.indexOf('`', 1) === word.length - 1)
    return word.slice(1, -1);
  return null;
}

/** `${NAME#pat}`, `${NAME##pat}`, `${NAME%pat}`, `${NAME%%pat}` (pattern without nested braces). */
const TRIM = /\$\{([A-Za-z_][A-Za-z0-9_]*)(##?|%%?)([^{}]*)\}/g;

/**
 * `value` with `pat` trimmed as the shell's ${X#pat} family does, for the patterns `*c...` (front) and `c...*`
 * (back) with a literal c...; null for other patterns.
 */
function trim(value: string, op: string, pat: string): string | null {
  if (op.startsWith('#')) {
    if (!pat.startsWith('*') || /[*?[\]]/.test(pat.slice(1))) return pat === '' ? value : null;
    const lit = pat.slice(1);
    const at = op === '##' ? value.lastIndexOf(lit) : value.indexOf(lit);
    return at < 0 ? value : value.slice(at + lit.length);
  }
  if (!pat.endsWith('*') || /[*?[\]]/.test(pat.slice(0, -1))) return pat === '' ? value : null;
  const lit = pat.slice(0, -1);
  const at = op === '%%' ? value.indexOf(lit) : value.lastIndexOf(lit);
  return at < 0 ? value : value.slice(0, at);
}

/** The variables of one RUN's shell as it runs: the Dockerfile's, the platform's, and what the RUN assigns. */
export class ShellVars {
  /** Assigned (or unset: null) by the RUN itself. */
  private readonly own = new Map<string, Value | null>();
  private readonly scope: Scope;

  constructor(
    private readonly declared: ReadonlyMap<string, string | null> | undefined,
    readonly arch: Arch | null,
  ) {
    this.scope = {
      get: (n) => {
        const v = this.get(n);
        return v === UNKNOWN ? '' : v;
      },
      has: (n) => this.get(n) !== null,
    };
  }

  /** A variable's value: null when unset, UNKNOWN when it cannot be known here. */
  get(name: string): Value | null {
    if (this.own.has(name)) return this.own.get(name) as Value | null;
    if (!this.declared?.has(name)) return UNKNOWN;
    const v = this.declared.get(name) ?? null;
    if (v !== null || !this.arch) return v;
    return platformArg(name, this.arch) ?? null;
  }

  set(name: string, value: Value | null): void {
    this.own.set(name, value);
  }

  /** A word's value after the shell's expansions (quotes already removed), or UNKNOWN. */
  valueOf(word: string): Value {
    if (!word.includes('$') && !word.includes('`')) return word;
    const inner = substitutionOf(word);
    if (inner !== null) return substitutionValue(inner, this.arch);
    if (word.includes('$(') || word.includes('`') || /\$[0-9@*#?$!-]/.test(word)) return UNKNOWN;
    let unknown = false;
    const w = word.replace(TRIM, (_m, name: string, op: string, pat: string) => {
      const v = this.get(name);
      const t = v === UNKNOWN ? null : trim(v ?? '', op, pat);
      if (t === null) unknown = true;
      return t ?? '';
    });
    if (unknown || referencedVariables(w).some((n) => this.get(n) === UNKNOWN)) return UNKNOWN;
    if (!plainBraces(w)) return UNKNOWN;
    return expand(w, this.scope, '\uffff');
  }
}

/**
 * Whether every `${` of a word is one expand() reads (${X}, ${X:-w}, ${X-w}, ${X:+w}, ${X+w} with a plain word):
 * another (${X:2}, ${#X}, ${X/a/b}) would come out empty, not as the shell makes it. One pass.
 */
function plainBraces(w: string): boolean {
  for (let i = w.indexOf('${'); i >= 0;) {
    const close = w.indexOf('}', i);
    if (close < 0 || !/^[A-Za-z_][A-Za-z0-9_]*(?::?[-+][^{}$`]*)?$/.test(w.slice(i + 2, close))) return false;
    i = w.indexOf('${', close);
  }
  return true;
}

/**
 * A test command's result: `[ ... ]`, `[[ ... ]]`, `test ...` over the values of its words (after expansion: an
 * unquoted word that expands to nothing is no word, as in the shell). U for forms not read and unknown operands.
 */
export function evalTest(args: readonly Value[], program: string): Tri {
  let a = args;
  if (program === '[' || program === '[[') {
    if (a[a.length - 1] !== (program === '[' ? ']' : ']]')) return 'U';
    a = a.slice(0, -1);
  }
  let negate = false;
  while (a[0] === '!') {
    negate = !negate;
    a = a.slice(1);
  }
  const r = testOf(a, program === '[[');
  return negate ? flip(r) : r;
}

function testOf(a: readonly Value[], patterns: boolean): Tri {
  const known = (...xs: Value[]): boolean => xs.every((x) => x !== UNKNOWN);
  if (a.length === 0) return 'F';
  if (a.length === 1) return known(a[0]) ? tri(a[0] !== '') : 'U';
  if (a.length === 2) {
    if (a[0] !== '-n' && a[0] !== '-z') return 'U';
    if (!known(a[1])) return 'U';
    return tri((a[1] === '') === (a[0] === '-z'));
  }
  if (a.length === 3 && (a[1] === '=' || a[1] === '==' || a[1] === '!=')) {
    if (!known(a[0], a[2])) return 'U';
    const [x, y] = [a[0] as string, a[2] as string];
    const same = patterns ? globMatch(y, x) : x === y;
    return tri(a[1] === '!=' ? !same : same);
  }
  return 'U';
}

export const tri = (b: boolean): Tri => (b ? 'T' : 'F');
export const flip = (t: Tri): Tri => (t === 'T' ? 'F' : t === 'F' ? 'T' : 'U');

/** Whether `s` matches the shell glob `p` (`*`, `?`, `[...]`, `[!...]`); linear backtracking, no regex. */
export function globMatch(p: string, s: string): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    const c = p[i];
    if (c === '*') {
      star = i++;
      mark = j;
      continue;
    }
    const width = c === '[' ? bracketMatch(p, i, s[j]) : c === '?' || c === s[j] ? 1 : 0;
    if (i < p.length && width > 0) {
      i += width;
      j++;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

/** At `p[i] === '['`: the length of the bracket expression when it matches `ch`, 0 when it does not. */
function bracketMatch(p: string, i: number, ch: string): number {
  const end = p.indexOf(']', i + 2);
  if (end < 0) return ch === '[' ? 1 : 0;
  let k = i + 1;
  const negate = p[k] === '!' || p[k] === '^';
  if (negate) k++;
  let hit = false;
  for (; k < end; k++) {
    if (p[k + 1] === '-' && k + 2 < end) {
      if (ch >= p[k] && ch <= p[k + 2]) hit = true;
      k += 2;
    } else if (p[k] === ch) hit = true;
  }
  return hit !== negate ? end - i + 1 : 0;
}
