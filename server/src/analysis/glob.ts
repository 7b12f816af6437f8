// Path patterns as Docker matches them, in time linear in the path for a given pattern (never a backtracking
// RegExp built from the pattern):
// - COPY/ADD sources: Go's filepath.Match. `*` is any run of characters but '/', `?` one character but '/',
//   `[...]` one character of a class (ranges `a-z`, negation with a leading `^`, `\` escapes; `!` is an ordinary
//   character, as in Go), `\c` the character c. A malformed pattern (unclosed `[`, empty class, `[-x]`, `[a-b-c]`,
//   a reversed range `[z-a]`, a trailing `\`) is an error: compileGlob returns null and the pattern matches nothing.
// - With { doubleStar: true } (and in .dockerignore), `**` also matches any number of folders: `**/x` is x in any
//   folder (the root included), a trailing `**` is anything below.
// - .dockerignore (moby/patternmatcher and its ignorefile reader, as `docker build` uses them): one pattern a line,
//   lines starting with `#` are comments, surrounding spaces trimmed, `!` makes an exception, each pattern is
//   cleaned like Go's filepath.Clean and a leading '/' dropped, the last pattern that matches a path or one of its
//   parent folders decides. Where Docker refuses the whole file (a malformed pattern, a lone `!`), we drop that line.
//   Docker hands the pattern to a regular expression, so `\d`-like escapes there mean classes; here `\c` is c.
//
// The matcher simulates the pattern's automaton over the path with a set of live states (a Thompson NFA): at most
// 2m+2 states for a pattern of m items, so matching costs at most O(path length x pattern length).
//
// Why not a library: the glob matchers on npm compile a pattern into a JavaScript RegExp, which backtracks. Measured
// here (2026-12-06, Node 20) with the pattern `**/*a*a*a*a*a*a*a*a*a*b` against the 62-character path `x/aaa...a`:
// minimatch 10.2.6 took 335 s for that one path, picomatch 2.3.2 had not answered after 60 s, and @balena/dockerignore
// (which we used before) did not finish in 30 s. A .dockerignore line or a COPY source is repository input.

const LIT = 0; // one given character
const ONE = 1; // `?`: one character but '/'
const CLASS = 2; // `[...]`
const STAR = 3; // `*`: any run without '/'
const DSTAR = 4; // `**` before more pattern: nothing, or any run ending with '/'
const ANY = 5; // trailing `**`: any run

const SLASH = 0x2f;

/** Longer patterns are refused (errors): Linux paths end at 4096 bytes, and matching cost grows with the pattern. */
export const MAX_PATTERN_LENGTH = 4096;

interface CharClass {
  negated: boolean;
  /** lo, hi pairs (code points). */
  ranges: number[];
}

interface Item {
  kind: number;
  /** LIT: the code point. */
  cp: number;
  cls: CharClass | null;
}

export interface GlobOptions {
  /** `**` matches any number of folders (.dockerignore style); otherwise it is two `*` (Go's filepath.Match). */
  doubleStar?: boolean;
}

export interface Glob {
  /** Does the whole path match? */
  test(path: string): boolean;
  /** Does the path or one of its parent folders match (a matched folder brings everything under it)? */
  testPathOrParent(path: string): boolean;
  /** Could some path under this folder (`folder/...`) match? True when unsure, false only when none can. */
  mayMatchUnder(folder: string): boolean;
}

/** Does the text use pattern characters (`*`, `?`, `[`)? */
export function hasGlobMeta(s: string): boolean {
  return s.includes('*') || s.includes('?') || s.includes('[');
}

/** A compiled pattern, or null when it is malformed (it then matches nothing). */
export function compileGlob(pattern: string, opts: GlobOptions = {}): Glob | null {
  const items = parsePattern(pattern, opts.doubleStar === true);
  return items ? globOf(items) : null;
}

function globOf(items: Item[]): Glob {
  const literal = literalOf(items);
  return literal !== null ? literalGlob(literal) : new Nfa(items);
}

function literalGlob(lit: string): Glob {
  return {
    test: (p) => p === lit,
    testPathOrParent: (p) =>
      p === lit || (p.length > lit.length && p.startsWith(lit) && p.charCodeAt(lit.length) === SLASH),
    mayMatchUnder: (folder) =>
      lit.length > folder.length && lit.startsWith(folder) && lit.charCodeAt(folder.length) === SLASH,
  };
}

function literalOf(items: Item[]): string | null {
  let s = '';
  for (const it of items) {
    if (it.kind !== LIT) return null;
    s += String.fromCodePoint(it.cp);
  }
  return s;
}

/** The code points of a string (surrogate pairs joined). */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let k = 0; k < s.length; k++) {
    const c = s.codePointAt(k) as number; // a pair joined, a lone surrogate as itself
    if (c > 0xffff) k++;
    out.push(c);
  }
  return out;
}

/** The pattern's items, or null when it is malformed. */
function parsePattern(pattern: string, doubleStar: boolean): Item[] | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return null;
  const cps = codePoints(pattern);
  const items: Item[] = [];
  const push = (kind: number, cp = 0, cls: CharClass | null = null): void => {
    const last = items[items.length - 1];
    // `**` runs: a repeated star adds nothing (keeps the automaton small for `****...`)
    if (last && last.kind === kind && (kind === STAR || kind === DSTAR || kind === ANY)) return;
    if (last && kind === ANY && last.kind === DSTAR) items.pop();
    items.push({ kind, cp, cls });
  };
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c === 0x2a /* * */) {
      if (doubleStar && cps[i + 1] === 0x2a) {
        i++;
        if (cps[i + 1] === SLASH) i++; // `**/` is `**`
        push(i + 1 >= cps.length ? ANY : DSTAR);
      } else push(STAR);
    } else if (c === 0x3f /* ? */) push(ONE);
    else if (c === 0x5c /* \ */) {
      if (i + 1 >= cps.length) return null;
      push(LIT, cps[++i]);
    } else if (c === 0x5b /* [ */) {
      const parsed = parseClass(cps, i + 1);
      if (!parsed) return null;
      push(CLASS, 0, parsed.cls);
      i = parsed.end;
    } else push(LIT, c);
  }
  return items;
}

/** A class starting after its '[' at `i` (Go's rules): the class and the index of its ']', or null if malformed. */
function parseClass(cps: number[], i: number): { cls: CharClass; end: number } | null {
  const negated = cps[i] === 0x5e; /* ^ */
  if (negated) i++;
  const ranges: number[] = [];
  for (;;) {
    if (cps[i] === 0x5d /* ] */ && ranges.length > 0) return { cls: { negated, ranges }, end: i };
    const lo = classChar(cps, i);
    if (!lo) return null;
    i = lo.next;
    let hi = lo.cp;
    if (cps[i] === 0x2d /* - */) {
      const h = classChar(cps, i + 1);
      if (!h) return null;
      hi = h.cp;
      i = h.next;
    }
    if (hi < lo.cp) return null; // Go takes [z-a] as an empty range; Docker's .dockerignore regexp refuses it
    ranges.push(lo.cp, hi);
  }
}

/** One possibly escaped class character; null where Go's getEsc reports a bad pattern. */
function classChar(cps: number[], i: number): { cp: number; next: number } | null {
  let c = cps[i];
  if (c === undefined || c === 0x2d /* - */ || c === 0x5d /* ] */) return null;
  if (c === 0x5c /* \ */) {
    i++;
    c = cps[i];
    if (c === undefined) return null;
  }
  // the class must still be closed after this character
  return i + 1 < cps.length ? { cp: c, next: i + 1 } : null;
}

function classMatches(cls: CharClass, c: number): boolean {
  let inside = false;
  for (let k = 0; k < cls.ranges.length && !inside; k += 2) inside = cls.ranges[k] <= c && c <= cls.ranges[k + 1];
  return inside !== cls.negated;
}

/**
 * The pattern as an automaton. States 0..m are "before item i" (m: the whole pattern matched); state m+1+i is
 * "inside the run of the `**` item i" (after at least one character, before its closing '/'). Only `*`, `**` and
 * trailing `**` can be skipped without a character, always to the next item, so closures are a forward walk.
 */
class Nfa implements Glob {
  private readonly kinds: Uint8Array;
  private readonly cps: Int32Array;
  private readonly classes: (CharClass | null)[];
  private readonly m: number;
  private readonly mark: Int32Array;
  private gen = 0;
  private cur: Int32Array;
  private curLen = 0;
  private nxt: Int32Array;
  private nxtLen = 0;

  constructor(items: Item[]) {
    this.m = items.length;
    this.kinds = Uint8Array.from(items, (it) => it.kind);
    this.cps = Int32Array.from(items, (it) => it.cp);
    this.classes = items.map((it) => it.cls);
    const states = 2 * this.m + 2;
    this.mark = new Int32Array(states);
    this.cur = new Int32Array(states);
    this.nxt = new Int32Array(states);
  }

  test(path: string): boolean {
    this.start();
    for (let k = 0; k < path.length && this.curLen > 0; k++) k = this.stepAt(path, k);
    return this.accepting();
  }

  testPathOrParent(path: string): boolean {
    this.start();
    for (let k = 0; k < path.length && this.curLen > 0; k++) {
      if (path.charCodeAt(k) === SLASH && this.accepting()) return true;
      k = this.stepAt(path, k);
    }
    return this.accepting();
  }

  mayMatchUnder(folder: string): boolean {
    this.start();
    for (let k = 0; k < folder.length && this.curLen > 0; k++) k = this.stepAt(folder, k);
    if (this.curLen > 0) this.step(SLASH);
    return this.curLen > 0;
  }

  private start(): void {
    this.newGeneration();
    this.nxtLen = 0;
    this.addClosure(0);
    this.swap();
  }

  private accepting(): boolean {
    return this.mark[this.m] === this.gen;
  }

  /** Steps over the code point at k; returns the index of its last code unit. */
  private stepAt(s: string, k: number): number {
    const c = s.codePointAt(k) as number;
    this.step(c);
    return c > 0xffff ? k + 1 : k;
  }

  private step(c: number): void {
    this.newGeneration();
    this.nxtLen = 0;
    const m = this.m;
    for (let n = 0; n < this.curLen; n++) {
      const s = this.cur[n];
      if (s > m) {
        this.addOne(s); // still inside the `**` run
        if (c === SLASH) this.addClosure(s - m);
        continue;
      }
      if (s === m) continue;
      switch (this.kinds[s]) {
        case LIT:
          if (c === this.cps[s]) this.addClosure(s + 1);
          break;
        case ONE:
          if (c !== SLASH) this.addClosure(s + 1);
          break;
        case CLASS:
          if (classMatches(this.classes[s] as CharClass, c)) this.addClosure(s + 1);
          break;
        case STAR:
          if (c !== SLASH) this.addClosure(s);
          break;
        case DSTAR:
          this.addOne(m + 1 + s);
          if (c === SLASH) this.addClosure(s + 1);
          break;
        default:
          this.addClosure(s); // ANY
      }
    }
    this.swap();
  }

  private addOne(s: number): void {
    if (this.mark[s] === this.gen) return;
    this.mark[s] = this.gen;
    this.nxt[this.nxtLen++] = s;
  }

  /** Adds state i and the states reached from it without a character. */
  private addClosure(i: number): void {
    for (let j = i; ; j++) {
      if (this.mark[j] === this.gen) return; // already there, with the rest of its closure
      this.mark[j] = this.gen;
      this.nxt[this.nxtLen++] = j;
      if (j === this.m) return;
      const k = this.kinds[j];
      if (k !== STAR && k !== DSTAR && k !== ANY) return;
    }
  }

  private swap(): void {
    const t = this.cur;
    this.cur = this.nxt;
    this.nxt = t;
    this.curLen = this.nxtLen;
  }

  private newGeneration(): void {
    if (this.gen >= 0x3fffffff) {
      this.mark.fill(0);
      this.gen = 0;
    }
    this.gen++;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// .dockerignore

export interface IgnoreRule {
  /** The pattern after cleaning, without its `!`. */
  pattern: string;
  /** A `!` line: matching paths are sent after all. */
  exception: boolean;
  /** null for a malformed pattern (it matches nothing). */
  glob: Glob | null;
}

export interface DockerIgnore {
  rules: IgnoreRule[];
  hasExceptions: boolean;
}

/** Go's filepath.Clean for '/'-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const s = out.join('/');
  return rooted ? '/' + s : s || '.';
}

/** Reads a .dockerignore text into its rules. */
export function parseDockerignore(text: string): DockerIgnore {
  const rules: IgnoreRule[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    if (n === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern === '') continue; // blank, or a lone `!` (Docker refuses the file)
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    rules.push({ pattern, exception, glob: compileIgnorePattern(pattern) });
  }
  return { rules, hasExceptions: rules.some((r) => r.exception) };
}

/**
 * A cleaned .dockerignore pattern. One quirk of Docker's kept: a pattern that starts with `**` followed by plain
 * characters only (`**foo`) is matched as a suffix of the whole path, so it also matches `barfoo`.
 */
function compileIgnorePattern(pattern: string): Glob | null {
  const items = parsePattern(pattern, true);
  if (!items) return null;
  const tail = pattern.slice(2);
  if (pattern.startsWith('**') && tail !== '' && !tail.startsWith('/') && !/[*?[\]\\]/.test(tail)) {
    items[0] = { kind: ANY, cp: 0, cls: null }; // was the `**` item before plain characters
  }
  return globOf(items);
}

/**
 * For each rule (1/0), whether it matches the path or one of its parent folders. `parentHits` is the answer for
 * the path's folder (walks pass it down); without it the parents are matched here.
 */
export function ignoreHits(ig: DockerIgnore, path: string, parentHits?: Uint8Array): Uint8Array {
  const inherited = parentHits ?? parentHitsOf(ig, path);
  const hits = new Uint8Array(ig.rules.length);
  for (let i = 0; i < ig.rules.length; i++) {
    const g = ig.rules[i].glob;
    hits[i] = inherited[i] === 1 || (g !== null && g.test(path)) ? 1 : 0;
  }
  return hits;
}

function parentHitsOf(ig: DockerIgnore, path: string): Uint8Array {
  let hits: Uint8Array = new Uint8Array(ig.rules.length);
  for (let k = path.indexOf('/'); k > 0; k = path.indexOf('/', k + 1)) hits = ignoreHits(ig, path.slice(0, k), hits);
  return hits;
}

/** Is a path with these hits left out of the context? The last rule that matches decides. */
export function ignoredByHits(ig: DockerIgnore, hits: Uint8Array): boolean {
  for (let i = ig.rules.length - 1; i >= 0; i--) if (hits[i] === 1) return !ig.rules[i].exception;
  return false;
}

/** Is the path (relative to the context root, '/'-separated) left out of the context? */
export function isIgnored(ig: DockerIgnore, path: string, parentHits?: Uint8Array): boolean {
  if (ig.rules.length === 0 || path === '' || path === '.') return false;
  const inherited = parentHits ?? parentHitsOf(ig, path);
  // the last rule that matches decides: look from the end, stop at the first match
  for (let i = ig.rules.length - 1; i >= 0; i--) {
    const r = ig.rules[i];
    if (inherited[i] === 1 || (r.glob !== null && r.glob.test(path))) return !r.exception;
  }
  return false;
}

/**
 * Could an exception bring back something under this ignored folder? False lets a walk skip the folder whole
 * (as Docker does); true when some `!` pattern may match below it.
 */
export function mayReinclude(ig: DockerIgnore, folder: string): boolean {
  return ig.rules.some((r) => r.exception && r.glob !== null && r.glob.mayMatchUnder(folder));
}
