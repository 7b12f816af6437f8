// The static size estimator: a size for every layer-creating step (and the FROM base), with the basis of the
// number, or null with a note saying why nothing honest can be said. Pure: the build context arrives as facts.
//
// What each instruction costs, in the order Docker applies them, stage by stage:
// - FROM image: the bundled base-image table (baseImages.ts); FROM <stage>: 0 new bytes (counted in that stage).
// - COPY/ADD from the context: the bytes of the files the sources select (copy.ts), ADD archives x a ratio.
// - COPY --from=<stage>: the bytes that stage put under that path, when every writer there is known.
// - RUN: package installs (run/): apt-get, apk, npm/yarn/pnpm, pip; a few commands known to write ~nothing.
// - WORKDIR (BuildKit): an empty folder, ~0 B.

import type { AnalysisFacts, DockerfileModel, LayerSize, Stage, Step } from '../model';
import { keep, memoPerStep, sameSize } from '../reuse';
import { lookupBaseImageRow } from './baseImages';
import { charge, EstimateBudgetSpent, FILES_PER_UNIT, MAX_ESTIMATE_WORK, resetWork } from './budget';
import { archiveRatio, selectContextFiles } from './copy';
import { estimateRun } from './run';
import { newStageState, cloneStageState, type ImageFile, type StageState } from './stage';
import { contextPath, isUnder, joinDir, normalizeAbs } from '../paths';
import { ProvenanceReader } from '../provenance';
import { runWrites } from '../runWrites';
import { hasGlob } from '../sources';

export interface StepEstimate {
  size: LayerSize | null;
  /** Why there is no size (size null), e.g. "unknown base image foo:1". */
  note?: string;
}

/** By step index; null where the step creates no layer or nothing can be said. */
export function estimateSizes(model: DockerfileModel, facts: AnalysisFacts): (LayerSize | null)[] {
  return estimateSteps(model, facts).map((e) => e.size);
}

/** `previous`: the steps of the document's previous version with their sizes, kept where the new ones are equal. */
export function estimateSteps(
  model: DockerfileModel,
  facts: AnalysisFacts,
  previous?: readonly { size: LayerSize | null }[],
): StepEstimate[] {
  const out: StepEstimate[] = new Array<StepEstimate>(model.steps.length).fill(NO_SIZE);
  const states: StageState[] = [];
  const walk: Walk = { model, facts, states, out, provenance: null };
  resetWork(MAX_ESTIMATE_WORK);
  for (const stage of model.stages) {
    let state: StageState;
    try {
      state = fromStep(model, stage, states, out);
      states[stage.index] = state;
      for (const i of stage.steps) {
        const step = model.steps[i];
        if (step.keyword === 'FROM') continue;
        charge(1);
        out[i] = estimateStep(walk, step, state);
        noteUnsized(step, state, out[i]);
      }
    } catch (e) {
      if (e instanceof EstimateBudgetSpent) {
        stopAt(model, stage.index, out, e.message);
        break;
      }
      // an estimator bug must not take the analysis down
      model.problems.push(
        `size estimate failed in stage ${stage.index}: ${e instanceof Error ? e.message : String(e)}`,
      );
      states[stage.index] = newStageState(null, null);
    }
  }
  if (previous) {
    for (let i = 0; i < out.length; i++) {
      const size = out[i].size;
      if (size !== null) out[i].size = keep(size, previous[i]?.size ?? undefined, sameSize);
    }
  }
  return out;
}

/**
 * The work budget ran out in stage `from`: its steps and those of every later stage that were not estimated yet get
 * no size, with a note; the model's problems say where it stopped.
 */
function stopAt(model: DockerfileModel, from: number, out: StepEstimate[], why: string): void {
  const stopped: StepEstimate = Object.freeze({ size: null, note: why });
  let first = 0;
  for (let s = from; s < model.stages.length; s++) {
    for (const i of model.stages[s].steps) {
      if (out[i] !== NO_SIZE || !(model.steps[i].createsLayer || model.steps[i].keyword === 'FROM')) continue;
      out[i] = stopped;
      first ||= model.steps[i].line;
    }
  }
  model.problems.push(`${why} (from line ${first || model.stages[from]?.line || 1} on, steps have no size)`);
}

/** A step without a size or a note (most non-layer steps): one shared object, never written. */
const NO_SIZE: StepEstimate = Object.freeze({ size: null });

const est = (bytes: number, basis: string, lowerBound = false): StepEstimate => ({
  size: { bytes: Math.max(0, Math.round(bytes)), source: 'estimate', basis, ...(lowerBound ? { lowerBound } : {}) },
});
const none = (note: string): StepEstimate => ({ size: null, note });

function fromStep(model: DockerfileModel, stage: Stage, states: StageState[], out: StepEstimate[]): StageState {
  const fromIndex = stage.steps[0];
  if (stage.baseStage !== null) {
    const parent = states[stage.baseStage];
    const name = model.stages[stage.baseStage].name ?? String(stage.baseStage);
    out[fromIndex] = est(
      0,
      `FROM ${name}: builds on stage ${name}, whose layers are counted at its own lines (0 new bytes)`,
    );
    return parent ? cloneStageState(parent) : newStageState(null, null);
  }
  const ref = stage.from;
  if (/\$/.test(ref)) {
    out[fromIndex] = none(`unknown base image ${ref}: a build argument without a value`);
    return newStageState(null, ref);
  }
  const hit = lookupBaseImageRow(ref);
  if (!hit) {
    out[fromIndex] = none(`unknown base image ${ref}: not in the bundled table of official images`);
    return newStageState(null, ref);
  }
  out[fromIndex] = est(hit.info.bytes, hit.info.basis);
  return newStageState(hit, ref);
}

/** What every step's estimate may look at: the model, the facts, the stages' states and the estimates so far. */
interface Walk {
  model: DockerfileModel;
  facts: AnalysisFacts;
  states: StageState[];
  out: StepEstimate[];
  /** Which steps wrote a path copied from a stage (made on the first COPY --from). */
  provenance: ProvenanceReader | null;
}

function estimateStep(walk: Walk, step: Step, state: StageState): StepEstimate {
  const { model, facts } = walk;
  switch (step.keyword) {
    case 'WORKDIR':
      if (!step.createsLayer) return NO_SIZE;
      state.files.set(step.workdir, { bytes: 0, from: `WORKDIR line ${step.line}` });
      return est(0, 'WORKDIR creates an empty folder: BuildKit commits a layer of ~0 B');
    case 'COPY':
    case 'ADD':
      return estimateCopy(walk, step, state);
    case 'RUN': {
      const r = estimateRun(step, state, facts, model.stages[step.stage]?.platform ?? null);
      return r.size === null ? none(r.note) : est(r.size, r.basis, r.lowerBound);
    }
    default:
      return NO_SIZE;
  }
}

/** Commands whose writes name the files they make (runWrites' entries `by` them). */
const FILE_MAKERS: ReadonlySet<string> = new Set(
  ['curl', 'wget', 'cp', 'mv', 'install', 'tar', 'unzip', 'git', 'dd'].concat(['gunzip', 'unxz', 'bunzip2', 'zstd']),
);

/** Most paths one step is taken to have written without a size; a RUN writing more is not followed. */
const MAX_UNSIZED_PER_STEP = 64;

/**
 * Where a step without an exact size wrote (a COPY/ADD's destination; the paths a RUN's commands name, such as
 * `curl -o`): a later chmod or chown of them stores bytes we cannot size (run/metadata.ts).
 */
function noteUnsized(step: Step, state: StageState, r: StepEstimate): void {
  if (r.size !== null && !r.size.lowerBound) return;
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    const folder = (step.sources?.length ?? 0) !== 1 || isFolder(step, state);
    state.unsized.set(copyDestination(step).dest, { line: step.line, folder });
    return;
  }
  if (step.keyword !== 'RUN') return;
  const paths = namedFiles(step);
  charge(paths.length);
  for (const p of paths) state.unsized.set(p, { line: step.line, folder: false });
}

/** A copy's destination, normalised, and whether how it is written makes it a folder (isFolder); once per Step. */
const copyDestination = memoPerStep((step: Step) => {
  const raw = step.destination ?? step.workdir;
  const dest = normalizeAbs(raw);
  return { dest, written: raw.endsWith('/') || dest === '/' || dest === normalizeAbs(step.workdir) };
});

/**
 * The files a RUN's downloads, copies and unpacks name (not the folders an install or useradd may touch anywhere
 * in), at most MAX_UNSIZED_PER_STEP; read once per Step object (an edit keeps the steps it did not touch).
 */
const namedFiles = memoPerStep((step: Step): string[] => {
  const out: string[] = [];
  for (const e of runWrites(step, () => undefined).entries ?? []) {
    if (!FILE_MAKERS.has(e.by) || /[$*?[]/.test(e.path)) continue;
    out.push(normalizeAbs(e.path));
    if (out.length >= MAX_UNSIZED_PER_STEP) break;
  }
  return out;
});

function estimateCopy(walk: Walk, step: Step, state: StageState): StepEstimate {
  const facts = walk.facts;
  const sources = step.sources ?? [];
  const dest = step.destination ?? step.workdir;
  if (step.heredocs.length > 0 && sources.every((s) => s.startsWith('<<'))) {
    const bytes = step.heredocs.reduce((n, h) => n + Buffer.byteLength(h.body, 'utf8'), 0);
    state.files.set(dest, { bytes, from: `${step.keyword} line ${step.line}` });
    return est(
      bytes,
      `${step.heredocs.length === 1 ? 'the heredoc' : `${step.heredocs.length} heredocs`} written by this step (${bytes} B)`,
    );
  }
  if (step.copyFrom) return copyFromStage(walk, step, state, sources, dest);
  if (sources.length === 0) return none(`${step.keyword} without a source`);
  if (step.keyword === 'ADD' && sources.some((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s))) {
    return none('ADD from a URL or git repository: its size is only known after the download');
  }
  const ctx = facts.context;
  if (!ctx) return none('no build context was read (give --context DIR, or open the folder)');
  charge(Math.ceil((ctx.files.length * sources.length) / FILES_PER_UNIT));
  const sel = selectContextFiles(ctx, sources);
  const absent = ctx.truncated ? [] : sel.missing.filter((m) => !hasGlob(m));
  if (absent.length)
    return none(
      `no file in the build context matches ${absent.join(', ')}: Docker stops the build at this step (see copy-source-missing)`,
    );
  let bytes = 0;
  const notes: string[] = [];
  let archives = 0;
  const single =
    sources.length === 1 &&
    sel.files.length === 1 &&
    sel.files[0].path === contextPath(sources[0]) &&
    !isFolder(step, state);
  // one file per place in the image: two sources bringing a file to the same place copy it once, to two places twice
  const placed = new Set<string>();
  for (const { file: f, below } of sel.picks) {
    const imagePath = single ? dest : joinDir(dest, below);
    if (placed.has(imagePath)) continue;
    placed.add(imagePath);
    const ar = step.keyword === 'ADD' ? archiveRatio(f.path) : null;
    const b = ar ? f.bytes * ar.ratio : f.bytes;
    if (ar) archives++;
    bytes += b;
    state.files.set(imagePath, { bytes: b, from: `${step.keyword} line ${step.line}`, contextPath: f.path });
  }
  if (archives)
    notes.push(
      `${archives} local archive${archives > 1 ? 's' : ''} extracted by ADD, sized at archive bytes x 2.5 (gzip), 2.8 (bzip2/zstd), 3.3 (xz) or 1 (tar)`,
    );
  if (sel.missing.length && !ctx.truncated)
    notes.push(
      `${sel.missing.length > 1 ? 'the patterns' : 'the pattern'} ${sel.missing.join(', ')} match${sel.missing.length > 1 ? '' : 'es'} nothing (BuildKit copies nothing for ${sel.missing.length > 1 ? 'them' : 'it'})`,
    );
  if (ctx.truncated) notes.push('the context listing stopped early, so this is a lower bound');
  const what = `${sel.files.length} file${sel.files.length === 1 ? '' : 's'} from the build context${ctx.hasDockerignore ? ' after .dockerignore' : ''}`;
  return est(bytes, `${what}${notes.length ? '; ' + notes.join('; ') : ''}`, ctx.truncated);
}

/**
 * Is a COPY destination a folder? Docker copies into it when it ends with '/' or already exists as a folder; we
 * know it exists when it is the WORKDIR (COPY x .), the root, or a folder earlier steps put files into.
 */
function isFolder(step: Step, state: StageState): boolean {
  const { dest, written } = copyDestination(step);
  return written || state.files.hasFileUnder(dest);
}

function copyFromStage(walk: Walk, step: Step, state: StageState, sources: string[], dest: string): StepEstimate {
  const { model, states } = walk;
  const from = step.copyFrom;
  if (!from) return NO_SIZE;
  if (from.stage === null) {
    return none(`copies from the image ${from.image ?? from.raw}: which of its files and how big is not in our tables`);
  }
  const src = states[from.stage];
  const name = model.stages[from.stage]?.name ?? String(from.stage);
  if (!src) return none(`stage ${name} could not be estimated`);
  let bytes = 0;
  let entries = 0;
  let lowerBound = false;
  const caveats: string[] = [];
  for (const raw of sources) {
    const path = normalizeAbs(raw);
    if (/[*?[]/.test(path)) return none(`COPY --from=${name} with a wildcard: not estimated`);
    const unsized = unsizedWriter(walk, from.stage, path);
    const aggregate = [...src.files.entries()].find(([p, f]) => f.aggregate && under(path, p) && path !== p);
    if (aggregate)
      return none(
        `${path} is part of ${aggregate[0]} in stage ${name} (${aggregate[1].from}); only the whole is estimated`,
      );
    let found = 0;
    const copied: [string, ImageFile][] = [];
    for (const [p, f] of src.files) {
      if (p === path || under(p, path)) {
        bytes += f.bytes;
        lowerBound ||= f.lowerBound === true;
        found++;
        const target =
          sources.length === 1 && p === path && !isFolder(step, state)
            ? dest
            : joinDir(dest, p === path ? p.slice(p.lastIndexOf('/') + 1) : p.slice(path.length).replace(/^\//, ''));
        copied.push([target, { ...f, from: `COPY --from=${name} line ${step.line}` }]);
      }
    }
    // a RUN we cannot size that ran inside the copied folder (or in a folder inside it) may have written there
    charge(src.unknownWriters.length);
    const inside = src.unknownWriters.find((w) => under(w.workdir, path) && w.workdir !== '/');
    if (inside)
      return none(
        `${path} in stage ${name} is written by the RUN at line ${inside.line}, which has no static estimate`,
      );
    if (found === 0 && unsized !== null)
      return none(
        `${path} in stage ${name} is ${unsized.sure ? 'written' : 'presumably made'} by the RUN at line ${unsized.line}, which has no static estimate`,
      );
    if (found === 0) {
      const above = nearestWriter(src.unknownWriters, path);
      if (above)
        return none(
          `${path} in stage ${name} is presumably made by the RUN at line ${above.line}, which has no static estimate`,
        );
      return none(`nothing we know of is at ${path} in stage ${name} (it may come from that stage's base image)`);
    }
    const above = unsized?.line ?? nearestWriter(src.unknownWriters, path)?.line;
    if (above !== undefined) caveats.push(`the RUN at line ${above} may also write there (not counted)`);
    for (const [t, f] of copied) state.files.set(t, f);
    entries += found;
  }
  const caveat = caveats.length ? `; ${caveats.join('; ')}` : '';
  return est(
    bytes,
    `what stage ${name} put under ${sources.map(normalizeAbs).join(', ')} (${entries} known entr${entries === 1 ? 'y' : 'ies'}: files copied there and package installs)${caveat}`,
    lowerBound || caveats.length > 0,
  );
}

/**
 * The RUN that last wrote `path` in stage `stage` when the estimate could not size it (a build: `go build -o`,
 * `dotnet publish -o`, `npm run build`), from the path's provenance (provenance.ts): the copy is then not taken for
 * what other steps left there alone, nor for nothing. `sure` is false when that RUN also runs a command we cannot
 * read (it may write anywhere): it is then the latest step that may have made the path, the RUNs after it being
 * read and writing elsewhere. Null when every writer there is sized, or the provenance is unknown.
 */
function unsizedWriter(walk: Walk, stage: number, path: string): { line: number; sure: boolean } | null {
  walk.provenance ??= new ProvenanceReader(walk.model, walk.facts.context);
  const prov = walk.provenance.of(stage, path);
  if (prov.origins === null) return null;
  for (const o of prov.origins) {
    if (o.how !== 'run') continue;
    const sized = walk.out[o.step]?.size;
    if (!sized || sized.lowerBound) return { line: walk.model.steps[o.step].line, sure: o.unknown === null };
  }
  return null;
}

/**
 * Of the RUNs we could not size, the one most likely to have made `path`: it ran in the deepest folder holding
 * `path` (a `cargo build` in /app rather than a `mkdir` in /), and of those the latest.
 */
function nearestWriter(
  writers: StageState['unknownWriters'],
  path: string,
): StageState['unknownWriters'][number] | null {
  let best: StageState['unknownWriters'][number] | null = null;
  for (const w of writers) {
    if (!under(path, w.workdir)) continue;
    if (!best || normalizeAbs(w.workdir).length >= normalizeAbs(best.workdir).length) best = w;
  }
  return best;
}

/** isUnder (../paths.ts) for paths as steps hold them: a WORKDIR or a destination is not always normalised. */
function under(child: string, dir: string): boolean {
  return isUnder(normalizeAbs(child), normalizeAbs(dir));
}
