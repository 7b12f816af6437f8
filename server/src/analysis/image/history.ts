// Maps an image's history entries to the Dockerfile's steps (pure: the engine gathers them, engine/measure.ts).
// Both builders' CreatedBy formats are read:
//   legacy:   "/bin/sh -c #(nop)  ENV A=1", "/bin/sh -c #(nop) COPY file:ab12 in /a ", "|1 V=2 /bin/sh -c make"
//   BuildKit: "RUN /bin/sh -c make # buildkit", "RUN |1 V=2 /bin/sh -c make # buildkit", "COPY a /a # buildkit",
//             "WORKDIR /app", "ENV A=1", "CMD [\"sh\"]"
// Only the target stage's FROM chain is in the image; entries before it belong to the base image (an imported
// base has one entry with an empty CreatedBy). ONBUILD triggers of the base run right after FROM.

import type { DockerfileModel, Step } from '../model';
import type { HistoryEntry } from './facts';

export type EntryOrigin = 'base' | 'dockerfile' | 'onbuild' | 'unknown';

export interface MappedEntry extends HistoryEntry {
  /** Position in the history, oldest first. */
  index: number;
  origin: EntryOrigin;
  /** The Dockerfile step this entry came from. */
  stepIndex: number | null;
  /** Instruction keyword read from CreatedBy ("RUN", "COPY", ...), "" when unknown. */
  keyword: string;
  /** CreatedBy shortened for people: "RUN apt-get update", "COPY file:ab12 in /a". */
  display: string;
}

export interface HistoryMapping {
  builder: 'buildkit' | 'legacy' | 'unknown';
  /** Oldest first. */
  entries: MappedEntry[];
  /** Number of entries that belong to the base image. */
  baseCount: number;
  /** Stage indexes of the target's FROM chain, base-most first. */
  chain: number[];
  /** Set when the history does not fit the Dockerfile; then no entry is mapped to a step. */
  mismatch?: string;
}

const BUILDKIT_KEYWORDS =
  /^(RUN|COPY|ADD|WORKDIR|ENV|LABEL|ARG|USER|VOLUME|STOPSIGNAL|SHELL|MAINTAINER|CMD|ENTRYPOINT|HEALTHCHECK|EXPOSE|ONBUILD)\b/;

export function isBuildkitEntry(e: HistoryEntry): boolean {
  return e.comment === 'buildkit.dockerfile.v0' || / # buildkit$/.test(e.createdBy);
}

/** Reads the instruction keyword and the normalised text of an entry's CreatedBy. */
export function readCreatedBy(
  createdBy: string,
  comment = '',
): { keyword: string; text: string; builder: 'buildkit' | 'legacy' | 'unknown' } {
  const c = createdBy.trim();
  if (!c) return { keyword: '', text: '', builder: 'unknown' };
  const nop = /#\(nop\)\s*([A-Z]+)\b\s*([\s\S]*)$/.exec(c);
  if (nop) return { keyword: nop[1], text: nop[2].trim(), builder: 'legacy' };
  const bk = comment === 'buildkit.dockerfile.v0' || / # buildkit$/.test(c);
  const kw = BUILDKIT_KEYWORDS.exec(c);
  if (kw && (bk || kw[1] !== 'RUN' || / # buildkit$/.test(c))) {
    let text = c.slice(kw[1].length).trim();
    text = text.replace(/ # buildkit$/, '');
    if (kw[1] === 'RUN') text = stripRunPrefixes(text);
    return { keyword: kw[1], text, builder: 'buildkit' };
  }
  // legacy RUN: "/bin/sh -c cmd", "|2 A=1 B=2 /bin/sh -c cmd", or an exec form joined by spaces
  return { keyword: 'RUN', text: stripRunPrefixes(c), builder: comment === '' ? 'legacy' : 'unknown' };
}

/** Drops the `|N K=v ...` build-arg prefix and the `/bin/sh -c ` shell prefix of a RUN entry. */
export function stripRunPrefixes(text: string): string {
  let t = text.trim();
  const argPrefix = /^\|(\d+)\s/.exec(t);
  if (argPrefix) {
    t = t.slice(argPrefix[0].length);
    const n = Number(argPrefix[1]);
    for (let i = 0; i < n; i++) {
      // K=value, value without spaces (the engine writes them unquoted); stop at the shell when unsure
      const m = /^[A-Za-z_][A-Za-z0-9_]*=\S*\s*/.exec(t);
      if (!m) break;
      t = t.slice(m[0].length);
    }
  }
  const shell = /^(?:\/bin\/sh|\/bin\/bash|sh|bash|\/usr\/bin\/env bash) -c /.exec(t);
  if (shell) t = t.slice(shell[0].length);
  return t;
}

function squash(s: string): string {
  return s
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a RUN entry's text is this step's command (heredoc bodies and exec forms allowed). */
function runMatches(step: Step, text: string): boolean {
  // a heredoc with a shebang runs as a mounted file: "RUN /dev/pipes/EOF # buildkit"
  const pipe = /^\/dev\/pipes\/(\S+)$/.exec(text.trim());
  if (pipe) return step.heredocs.some((h) => h.name === pipe[1]);
  const t = squash(text);
  const candidates = [
    step.command,
    step.execForm ? step.words.join(' ') : '',
    step.args,
    ...step.heredocs.map((h) => h.body),
  ]
    .filter((c) => c && c.trim())
    .map(squash);
  if (candidates.length === 0) return t === '';
  return candidates.some((c) => c === t || (c.length > 8 && (t.includes(c) || c.includes(t))));
}

/** The stages of the target's FROM chain, base-most first. */
export function targetChain(model: DockerfileModel): number[] {
  const chain: number[] = [];
  let s = model.target;
  const seen = new Set<number>();
  while (s >= 0 && !seen.has(s)) {
    seen.add(s);
    chain.unshift(s);
    const b = model.stages[s]?.baseStage;
    s = b === null || b === undefined ? -1 : b;
  }
  return chain;
}

/** The steps that leave a history entry, in order, for the builder that made the image. */
export function expectedSteps(model: DockerfileModel, builder: 'buildkit' | 'legacy' | 'unknown'): Step[] {
  const out: Step[] = [];
  for (const si of targetChain(model)) {
    for (const i of model.stages[si].steps) {
      const s = model.steps[i];
      if (s.keyword === 'FROM') continue;
      if (s.keyword === 'ONBUILD' && builder === 'buildkit') continue;
      out.push(s);
    }
  }
  return out;
}

export interface MapOptions {
  /** Length of the base image's own history, when the base is available locally (checks the prefix). */
  baseHistoryLength?: number;
  /** Number of ONBUILD triggers the base image carries (they run right after FROM). */
  onbuildTriggers?: number;
}

export function mapHistory(model: DockerfileModel, history: HistoryEntry[], opts: MapOptions = {}): HistoryMapping {
  const chain = targetChain(model);
  const newest = [...history].reverse().find((e) => e.createdBy.trim() !== '');
  const builder = newest
    ? isBuildkitEntry(newest)
      ? 'buildkit'
      : /#\(nop\)/.test(newest.createdBy) || newest.comment === ''
        ? 'legacy'
        : 'unknown'
    : 'unknown';
  const expected = expectedSteps(model, builder);
  const triggers = opts.onbuildTriggers ?? 0;
  const baseCount = history.length - expected.length - triggers;
  const entries: MappedEntry[] = history.map((e, index) => {
    const r = readCreatedBy(e.createdBy, e.comment);
    return {
      ...e,
      index,
      origin: 'unknown',
      stepIndex: null,
      keyword: r.keyword,
      display: displayOf(e.createdBy, e.comment),
    };
  });
  const result: HistoryMapping = { builder, entries, baseCount: Math.max(0, baseCount), chain };
  if (model.stages.length === 0 || model.target < 0) {
    result.mismatch = 'the Dockerfile has no FROM';
    return result;
  }
  if (baseCount < 0) {
    result.mismatch = `the image has ${history.length} history entries but the Dockerfile's target stage makes ${expected.length}: it was not built from this Dockerfile (or from another target)`;
    return result;
  }
  if (opts.baseHistoryLength !== undefined && opts.baseHistoryLength !== baseCount) {
    result.mismatch = `the image has ${history.length - opts.baseHistoryLength - triggers} history entries after its base image's ${opts.baseHistoryLength}, but the Dockerfile's target stage makes ${expected.length}: it was not built from this version of the Dockerfile (or from another base)`;
    for (let i = 0; i < Math.min(baseCount, history.length); i++) entries[i].origin = 'base';
    return result;
  }
  for (let i = 0; i < baseCount; i++) entries[i].origin = 'base';
  for (let i = 0; i < triggers; i++) entries[baseCount + i].origin = 'onbuild';
  const start = baseCount + triggers;
  for (let i = 0; i < expected.length; i++) {
    const e = entries[start + i];
    const step = expected[i];
    const r = readCreatedBy(e.createdBy, e.comment);
    const ok = r.keyword === step.keyword && (r.keyword !== 'RUN' || runMatches(step, r.text));
    if (!ok) {
      result.mismatch = `history entry "${shorten(e.display)}" does not match line ${step.line} (${step.keyword} ${shorten(step.args)}): the image was not built from this version of the Dockerfile`;
      for (const x of entries)
        if (x.origin !== 'base') {
          x.origin = 'unknown';
          x.stepIndex = null;
        }
      return result;
    }
    e.origin = 'dockerfile';
    e.stepIndex = step.index;
  }
  return result;
}

function shorten(s: string, n = 60): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** CreatedBy for people: without the shell and #(nop) noise. */
export function displayOf(createdBy: string, comment = ''): string {
  const c = createdBy.trim();
  if (!c) return comment ? `(${comment})` : '(no command recorded)';
  const r = readCreatedBy(c, comment);
  if (!r.keyword) return c;
  return `${r.keyword} ${r.text}`.trim();
}
