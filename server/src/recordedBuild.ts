// One build as the CLI (`layer-insight build`) and the language server run it: read the context and the digests of
// the files the steps copy, build with the engine, measure and map the image, explain each cache miss against the
// record of the last build (analysis/forecast.ts explainBuild), and write the new record. The engine module builds and
// gathers; the Dockerfile is read here and in analysis/.

import type Dockerode from 'dockerode';
import { readBuildInputs, valueDigest, type Builder } from './analysis/buildInputs';
import { makeRecord, type BuildRecord, type StepOutcome } from './analysis/buildRecord';
import { explainBuild } from './analysis/forecast';
import type {
  AnalysisOptions,
  BuildContextFacts,
  BuildFacts,
  DockerfileModel,
  StepCacheOutcome,
} from './analysis/model';
import { parseDockerfile } from './analysis/parse';
import { buildImage, errorText, imageBuildOf, type BuildOutcome } from './engine/build';
import { imageIds } from './engine/imageIds';
import { pickBuilder, type Builder as EngineBuilder, type EngineKind } from './engine/engineKind';
import { gatherImage } from './engine/measure';
import { placeBuildRecords, type BuildStepRecord } from './analysis/image/buildSteps';
import type { ImageFacts } from './analysis/image/facts';
import { baseImageOf, mapImage, type MappedImage } from './analysis/image/map';
import type { BuildProgress } from './engine/progress';
import { baseRefs, contextDigests } from './facts/buildFacts';
import { loadRecord, saveRecord } from './facts/buildRecords';
import { readBuildContext } from './facts/context';

export interface RecordedBuildOptions {
  /** Absolute path of the Dockerfile (the record's key). */
  dockerfile: string;
  /** The text to build (an unsaved editor buffer is sent in place of the file). */
  text: string;
  /** Whether `text` differs from the file on disk. */
  unsaved?: boolean;
  context: string;
  builder: Builder;
  tag: string;
  target?: string;
  buildArgs?: Record<string, string>;
  recordDir: string;
  storageDriver?: string;
  /** The engine (EngineState.kind, .builders): the build uses the builder it has (pickBuilder, engineKind.ts). */
  engine?: { kind?: EngineKind; builders?: EngineBuilder[] };
  onProgress?: (p: BuildProgress) => void;
  signal?: AbortSignal;
}

/** A build's outcome with its step records placed on the lines of the text built (analysis/image/buildSteps.ts). */
export interface PlacedOutcome extends BuildOutcome {
  model: DockerfileModel;
  steps: BuildStepRecord[];
}

export interface RecordedBuild {
  ok: boolean;
  message: string;
  outcome: PlacedOutcome;
  /** When the build succeeded: */
  measure?: MappedImage;
  /** The gathered image and the build's raw step records, for the analysis to map to the text it parses. */
  image?: ImageFacts;
  record?: BuildRecord;
  /** Where the record was written ('' when it could not be, `recordError` says why). */
  recordFile?: string;
  recordError?: string;
  /** Why each step ran, by step index. */
  causes?: Map<number, StepCacheOutcome>;
  /** Facts for the analysis of the built text: the context, the measured image and the new record. */
  facts?: { context: BuildContextFacts; image: ImageFacts; build: BuildFacts };
}

export async function recordedBuild(docker: Dockerode, o: RecordedBuildOptions): Promise<RecordedBuild> {
  // the builder the engine has (Podman: buildah, whatever is asked); buildah's cache keys are recorded as the legacy
  // builder's (per instruction, on its text and parent), which is how buildah looks its cache up
  const picked = pickBuilder(o.builder, o.engine);
  if (picked.note) o.onProgress?.({ message: picked.note });
  const builder: Builder = picked.builder === 'buildah' ? 'legacy' : picked.builder;
  const buildArgs = o.buildArgs ?? {};
  const options: AnalysisOptions = { target: o.target, buildArgs, buildkit: builder === 'buildkit' };
  const model = parseDockerfile(o.text, options);
  const context = await readBuildContext(o.context, { dockerfile: o.dockerfile });
  const digests = await contextDigests(model, context, builder);
  const previous = await loadRecord(o.recordDir, o.dockerfile);
  const built = await buildImage(docker, {
    context: o.context,
    dockerfile: o.dockerfile,
    dockerfileText: o.unsaved ? o.text : undefined,
    builder: picked.builder,
    tag: o.tag,
    target: o.target,
    buildArgs,
    onProgress: o.onProgress,
    signal: o.signal,
  });
  const steps = placeBuildRecords(model, picked.builder, built.records);
  const outcome: PlacedOutcome = { ...built, model, steps };
  if (!outcome.ok) return { ok: false, message: outcome.message, outcome };
  // the engine gathers (the base it looks up named by the analysis), the analysis places and maps
  const gathered = await gatherImage(docker, o.tag, {
    baseImage: baseImageOf(model),
    storageDriver: o.storageDriver,
    engineKind: o.engine?.kind,
  });
  const image: ImageFacts = {
    gathered,
    build: imageBuildOf({ builder: picked.builder, target: o.target, buildArgs }, outcome),
  };
  if (o.target !== undefined) image.target = o.target;
  const measure = mapImage(image, model);
  const baseIds = await imageIds(docker, baseRefs(model));
  const inputs = readBuildInputs(model, {
    builder,
    target: o.target ?? null,
    context,
    digests,
    argValue: (name) => (name in buildArgs ? valueDigest(buildArgs[name]) : undefined),
    baseId: (ref) => baseIds.get(ref) ?? null,
    keepFiles: true,
  });
  const outcomes: StepOutcome[] = steps.flatMap((s) =>
    s.stepIndex === null ? [] : [{ stepIndex: s.stepIndex, cached: s.cached, durationMs: s.durationMs }],
  );
  const causes = explainBuild(model, inputs, previous, outcomes, context);
  const record = makeRecord({
    time: new Date().toISOString(),
    dockerfile: o.dockerfile,
    context: o.context,
    buildArgs: Object.fromEntries(Object.entries(buildArgs).map(([k, v]) => [k, valueDigest(v) as string])),
    image: { id: outcome.imageId ?? null, tag: o.tag },
    durationMs: outcome.durationMs,
    inputs,
    outcomes,
    bytes: new Map(measure.measured.steps.map((m) => [m.stepIndex, m.bytes])),
    causes: new Map([...causes].map(([i, c]) => [i, c.cause])),
    previous,
  });
  const result: RecordedBuild = {
    ok: true,
    message: summary(model, o, outcome, outcomes),
    outcome,
    measure,
    image,
    record,
    causes,
    facts: { context, image, build: { record, digests, baseIds } },
  };
  try {
    result.recordFile = await saveRecord(o.recordDir, record);
  } catch (err) {
    result.recordFile = '';
    result.recordError = `the build record could not be written to ${o.recordDir}: ${errorText(err)}`;
  }
  return result;
}

/** "built T in 4.5 s with buildkit: 2 of 5 steps ran, 3 from the cache" (FROM steps not counted). */
function summary(
  model: ReturnType<typeof parseDockerfile>,
  o: RecordedBuildOptions,
  outcome: BuildOutcome,
  outcomes: readonly StepOutcome[],
): string {
  const counted = outcomes.filter((x) => model.steps[x.stepIndex]?.keyword !== 'FROM');
  const ran = counted.filter((x) => !x.cached).length;
  return `built ${o.tag} in ${(outcome.durationMs / 1000).toFixed(1)} s with ${outcome.builder}: ${ran} of ${counted.length} steps ran, ${counted.length - ran} from the cache`;
}
