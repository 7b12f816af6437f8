// Which steps of a stage decide the content of one of its paths: what a COPY --from or a RUN --mount=from= of that
// path takes from the stage. BuildKit and the legacy builder key those on the content of the copied files, so a
// source edit that re-runs the stage re-runs the copy only when the steps that wrote the copied path write
// something different.
//
// Walking the stage from its end (and then the stages it is built FROM), each RUN/COPY/ADD that writes at, under
// or above the path is one origin of its content:
// - a COPY/ADD (own): the content it writes depends on its own inputs only (its context files, its --from path);
//   it may merge into what was there, so the walk goes on unless it replaced the path (a file copied anew);
// - a RUN whose writes there depend only on the dependency manifests (keyed: `npm ci`'s node_modules, `cargo chef
//   prepare`'s recipe, `pip wheel -r`'s wheels): the manifests, build args and base image that reach the step, but
//   no source edit; the walk goes on unless the RUN replaced the path;
// - a RUN whose writes there depend only on its command (`mkdir`, `rm`, `chmod`): nothing; the walk goes on unless
//   it replaced the path;
// - any other RUN (run): everything that reaches the step, and nothing before it matters any more: the walk stops. A
//   RUN we cannot read (runWrites.ts) may have written anything: it is such an origin, marked unknown;
// - reaching the stage's FROM an image (base): the base image.
// What each RUN writes comes from runWrites.ts with the variables the Dockerfile set up to it, command by command:
// within one command the most specific entry decides (`npm ci`'s node_modules over its project folder), and every
// command that writes there counts. What a COPY of a context folder writes is refined by the context listing (a
// `COPY . .` writes /app/node_modules only if the context has a node_modules folder). A path read through a link a
// step made (`ln -s`) is not followed: the answer is unknown.
//
// Bounded: at most MAX_WRITERS writing steps per stage and MAX_STAGES stages are followed, and MAX_CHECKS path
// comparisons per reader; beyond, the answer is unknown (with why), and the caller takes the whole stage.

import { looksLikeFileName } from './ecosystems';
import type { BuildContextFacts, DockerfileModel, Stage, Step } from './model';
import { readAssignments } from './parse/words';
import { normalizeAbs } from './paths';
import { runWrites, type Vars, type WriteBasis, type WriteEntry } from './runWrites';
import { classifyPath, contextSources, hasGlob } from './sources';
import { newBudget, type Scope } from './variables';

/** One step whose writes decide part of a path's content, and what that content depends on (see the header). */
export type Origin =
  | { how: 'run'; stage: number; step: number; unknown: string | null }
  | { how: 'own'; stage: number; step: number }
  | { how: 'keyed'; stage: number; step: number; by: string; manifests: readonly string[] }
  | { how: 'base'; stage: number; step: number };

/** The origins of a path's content, or why we cannot tell them. */
export type Provenance = { origins: Origin[]; why?: undefined } | { origins: null; why: string };

/** Writing steps followed in one stage, stages followed through FROM, and path comparisons per reader. */
export const MAX_WRITERS = 256;
export const MAX_STAGES = 32;
const MAX_CHECKS = 1_000_000;
/** Answers kept per reader (one per stage and path copied from it). */
const MAX_ANSWERS = 100_000;

/** What one step writes: entries, or null when it may write anywhere (then `unknown` names the command). */
interface Writer {
  entries: readonly Entry[] | null;
  unknown: string | null;
}

interface Entry extends WriteEntry {
  /** For a context folder copied here: that folder's context path. The listing tells which paths it writes. */
  from?: string;
}

/** How one step's writes meet a path. */
interface Touch {
  basis: WriteBasis;
  replaces: boolean;
  by: string;
  manifests: readonly string[];
  unknown: boolean;
  /** The path is read through a link the step made there. */
  link?: string;
}

/** Answers provenance questions about one model (and context listing), keeping what it read for the next question. */
export class ProvenanceReader {
  private readonly writers = new Map<number, Writer>();
  private readonly vars = new Map<number, StageVars>();
  /** By stage, then path copied from it. */
  private readonly answers = new Map<number, Map<string, Provenance>>();
  private kept = 0;
  private checks = 0;

  constructor(
    private readonly model: DockerfileModel,
    private readonly context?: BuildContextFacts,
  ) {}

  /** The origins of the content of `path` (as a COPY --from names it) in the stage `stageIndex` at its end. */
  of(stageIndex: number, path: string): Provenance {
    // many copies take the same path from the same stage: each is answered once
    let byPath = this.answers.get(stageIndex);
    if (!byPath) this.answers.set(stageIndex, (byPath = new Map()));
    let known = byPath.get(path);
    if (!known) {
      known = this.answer(stageIndex, path);
      if (this.kept++ < MAX_ANSWERS) byPath.set(path, known);
    }
    return known;
  }

  private answer(stageIndex: number, path: string): Provenance {
    const p = copiedPath(path);
    const origins: Origin[] = [];
    let s = stageIndex;
    for (let hop = 0; hop < MAX_STAGES; hop++) {
      const stage = this.model.stages[s];
      const walked = this.walk(stage, p, origins);
      if (walked !== null) return walked;
      if (stage.baseStage === null || stage.baseStage === s) {
        origins.push({ how: 'base', stage: s, step: stage.steps[0] });
        return { origins };
      }
      s = stage.baseStage;
    }
    return { origins: null, why: `it is built on a chain of more than ${MAX_STAGES} stages` };
  }

  /** The writers of one stage, from its end: the answer once a step settles it, null to go on to its base. */
  private walk(stage: Stage, p: string, origins: Origin[]): Provenance | null {
    let seen = 0;
    for (let k = stage.steps.length - 1; k >= 1; k--) {
      const i = stage.steps[k];
      const step = this.model.steps[i];
      if (step.keyword !== 'RUN' && step.keyword !== 'COPY' && step.keyword !== 'ADD') continue;
      if (++seen > MAX_WRITERS)
        return { origins: null, why: `more than ${MAX_WRITERS} steps of its stage write files` };
      const w = this.writer(stage, step);
      this.checks += w.entries?.length ?? 1;
      if (this.checks > MAX_CHECKS) return { origins: null, why: 'the file has too many writes to follow' };
      const t = touch(w, p, this.context);
      if (t === null) continue;
      // what the link points at may be written anywhere, before or after: we do not follow it
      if (t.link !== undefined)
        return { origins: null, why: `it is read through the link ${t.link} made at line ${step.line}` };
      if (step.keyword !== 'RUN') origins.push({ how: 'own', stage: stage.index, step: i });
      else if (t.basis === null) {
        origins.push({ how: 'run', stage: stage.index, step: i, unknown: t.unknown ? t.by : null });
        return { origins };
      } else if (t.basis === 'manifests')
        origins.push({ how: 'keyed', stage: stage.index, step: i, by: t.by, manifests: t.manifests });
      if (t.replaces) return { origins };
    }
    return null;
  }

  private writer(stage: Stage, step: Step): Writer {
    let w = this.writers.get(step.index);
    if (w) return w;
    if (step.keyword === 'RUN') {
      const got = runWrites(step, this.varsOf(stage).at(step.index));
      w = { entries: got.entries, unknown: got.unknown };
    } else w = { entries: copyWrites(step, this.context), unknown: null };
    this.writers.set(step.index, w);
    return w;
  }

  /** The variables of a stage, read with those of the stages it is built on (the nearest MAX_STAGES), bases first. */
  private varsOf(stage: Stage): StageVars {
    const known = this.vars.get(stage.index);
    if (known) return known;
    const chain: Stage[] = [];
    for (let s: Stage | undefined = stage; s && !this.vars.has(s.index) && chain.length < MAX_STAGES;) {
      chain.push(s);
      s = s.baseStage !== null && s.baseStage !== s.index ? this.model.stages[s.baseStage] : undefined;
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const b = chain[k].baseStage;
      this.vars.set(
        chain[k].index,
        new StageVars(this.model, chain[k], b === null ? null : (this.vars.get(b) ?? null)),
      );
    }
    return this.vars.get(stage.index) as StageVars;
  }
}

/** A COPY --from source or mount source as a path of the stage: absolute, cut before its first glob. */
export function copiedPath(raw: string): string {
  const p = normalizeAbs(raw);
  if (!hasGlob(p)) return p;
  const parts = p.split('/');
  const at = parts.findIndex((s) => hasGlob(s));
  return normalizeAbs(parts.slice(0, at).join('/'));
}

/** a is b or inside b. */
function within(a: string, b: string): boolean {
  return a === b || b === '/' || (a.startsWith(b) && a[b.length] === '/');
}

/** Whether the context has a file at or under `dir/rel` (true when the listing is unknown). */
function contextHas(context: BuildContextFacts | undefined, dir: string, rel: string): boolean {
  if (!context || context.truncated) return true;
  const p = rel === '' ? dir : dir === '' ? rel : `${dir}/${rel}`;
  return (classifyPath(p, context).files?.length ?? 0) > 0;
}

/**
 * How a step's writes meet `p`: per command of the step, its deepest entries at or above `p` (the most specific thing
 * that command says about it: `npm ci`'s node_modules over its project folder), and every entry inside `p`. Null
 * when they do not meet; `link` when `p` is read through a link the step made.
 */
function touch(w: Writer, p: string, context: BuildContextFacts | undefined): Touch | null {
  if (w.entries === null) return { basis: null, replaces: false, by: w.unknown ?? '', manifests: [], unknown: true };
  const covers = new Map<number, Entry[]>();
  const inside: Entry[] = [];
  for (const e of w.entries) {
    if (within(p, e.path)) {
      if (e.except?.some((x) => within(p, x))) continue;
      const rel = p === e.path ? '' : e.path === '/' ? p.slice(1) : p.slice(e.path.length + 1);
      if (e.from !== undefined && !contextHas(context, e.from, rel)) continue;
      const deepest = covers.get(e.group);
      if (!deepest || e.path.length > deepest[0].path.length) covers.set(e.group, [e]);
      else if (e.path.length === deepest[0].path.length) deepest.push(e);
    } else if (within(e.path, p) && (e.from === undefined || contextHas(context, e.from, ''))) inside.push(e);
  }
  const cover = [...covers.values()].flat();
  if (cover.length === 0 && inside.length === 0) return null;
  const link = cover.find((e) => e.link);
  if (link) return { basis: null, replaces: false, by: link.by, manifests: [], unknown: false, link: link.path };
  const parts = cover.concat(inside);
  const open = parts.find((e) => e.basis === null);
  const keyed = parts.find((e) => e.basis === 'manifests');
  return {
    basis: open ? null : keyed ? 'manifests' : 'command',
    replaces: cover.some((e) => e.replaces),
    by: (open ?? keyed ?? parts[0]).by,
    manifests: keyed?.manifests ?? [],
    unknown: false,
  };
}

/** Archives ADD unpacks into its destination. */
const ARCHIVE = /\.(tar|tgz|tar\.gz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

/** What a COPY/ADD writes: its destination, per source (a file, or a folder's content as the listing has it). */
function copyWrites(step: Step, context: BuildContextFacts | undefined): Entry[] {
  const dest = step.destination ?? step.workdir;
  const at = (path: string, replaces: boolean, from?: string): Entry =>
    from === undefined
      ? { path, basis: null, replaces, by: step.keyword, group: 0 }
      : { path, basis: null, replaces, by: step.keyword, group: 0, from };
  if (!dest.startsWith('/')) return [at('/', false)];
  const destPath = normalizeAbs(dest);
  const intoFolder = dest.endsWith('/') || (step.sources?.length ?? 0) > 1;
  if (step.copyFrom || step.heredocs.length > 0 || step.flags.some((f) => f.name === 'parents'))
    return [at(destPath, false)];
  const out: Entry[] = [];
  for (const s of contextSources(step, context)) {
    const base = s.path.slice(s.path.lastIndexOf('/') + 1) || s.raw.slice(s.raw.lastIndexOf('/') + 1);
    const isFile =
      s.kind === 'remote' ||
      (context && !context.truncated && s.files
        ? s.files.length === 1 && s.files[0] === s.path
        : !hasGlob(s.path) && s.path !== '' && looksLikeFileName(base));
    if (step.keyword === 'ADD' && ARCHIVE.test(s.path)) out.push(at(destPath, false));
    else if (isFile) out.push(intoFolder ? at(normalizeAbs(`${destPath}/${base}`), true) : at(destPath, false));
    else if (hasGlob(s.path)) out.push(at(destPath, false));
    else out.push(at(destPath, false, s.path));
  }
  return out;
}

/** A name's values in one stage, by the step that set them (ascending). */
type History = Map<string, { step: number; value: string | null }[]>;

/**
 * The ENV and ARG values a stage sets, step by step, read once: what a RUN's paths are resolved with. A stage built
 * FROM another starts with that stage's ENV (ARGs do not carry over), as the builder does.
 */
class StageVars {
  private readonly env: History = new Map();
  private readonly args: History = new Map();

  constructor(
    model: DockerfileModel,
    stage: Stage,
    private readonly base: StageVars | null,
  ) {
    const esc = model.directives.escape;
    for (const i of stage.steps) {
      const step = model.steps[i];
      if (step.keyword !== 'ENV' && step.keyword !== 'ARG') continue;
      const isArg = step.keyword === 'ARG';
      const scope: Scope = { get: (n) => this.lookup(n, i), has: (n) => this.lookup(n, i) !== undefined };
      for (const [k, v] of readAssignments(step.words, esc, scope, isArg, newBudget())) {
        const value = v === null && isArg ? (model.globalArgs.get(k) ?? null) : (v ?? '');
        const history = isArg ? this.args : this.env;
        const list = history.get(k);
        if (list) list.push({ step: i, value });
        else history.set(k, [{ step: i, value }]);
      }
    }
  }

  /** The variables as the step `index` sees them (set by steps before it). */
  at(index: number): Vars {
    return (name) => this.lookup(name, index) ?? undefined;
  }

  /** The value before step `index`: ENV wins over ARG; then the ENV of the stages it is built on, at their end. */
  private lookup(name: string, index: number): string | null | undefined {
    const env = before(this.env.get(name), index);
    if (env !== undefined) return env;
    const arg = before(this.args.get(name), index);
    if (arg !== undefined) return arg;
    for (let b = this.base, hops = 0; b !== null && hops < MAX_STAGES; b = b.base, hops++) {
      const list = b.env.get(name);
      if (list?.length) return list[list.length - 1].value;
    }
    return undefined;
  }
}

/** The last value set before step `index`. */
function before(list: { step: number; value: string | null }[] | undefined, index: number): string | null | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].step < index) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : list[lo - 1].value;
}
