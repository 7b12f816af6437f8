// Gathers what the rebuild forecast compares (analysis/forecast.ts): the last build record of a Dockerfile, and the
// content digests of the context files its steps bring in now. Reads files only: no build, no engine (the base
// image IDs come from the caller, who may ask the engine), so it runs in an untrusted workspace too.

import { wantedFiles, type Builder } from '../analysis/buildInputs';
import type { BuildContextFacts, BuildFacts, DockerfileModel } from '../analysis/model';
import { loadRecord } from './buildRecords';
import { digestFiles } from './contextDigests';

export interface GatherBuildFacts {
  dockerfile: string;
  model: DockerfileModel;
  context?: BuildContextFacts;
  recordDir: string;
  /** The image IDs of base references, when an engine may be asked (else the forecast notes it did not check). */
  baseIds?: (refs: string[]) => Promise<Map<string, string | null>>;
}

export async function gatherBuildFacts(g: GatherBuildFacts): Promise<BuildFacts> {
  const record = await loadRecord(g.recordDir, g.dockerfile);
  if (!record) return { record: null, reason: 'no build of this Dockerfile was recorded yet: build it once' };
  const digests = g.context ? await contextDigests(g.model, g.context, record.builder) : undefined;
  const facts: BuildFacts = { record, digests };
  if (g.baseIds) facts.baseIds = await g.baseIds(baseRefs(g.model));
  return facts;
}

/** The digests of the context files the model's built stages bring in. */
export function contextDigests(
  model: DockerfileModel,
  context: BuildContextFacts,
  builder: Builder,
): Promise<Map<string, string>> {
  return digestFiles(context.root, wantedFiles(model, context, builder));
}

/** The image references the stages are built FROM (no stage names, no scratch). */
export function baseRefs(model: DockerfileModel): string[] {
  const refs = new Set<string>();
  for (const s of model.stages) if (s.baseStage === null && s.from.toLowerCase() !== 'scratch') refs.add(s.from);
  return [...refs];
}
