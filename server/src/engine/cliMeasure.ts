// Measured sizes for the CLI (--engine auto|on, --image REF): find the engine the way the docker CLI does, probe
// it with a short time limit, and gather the local image for the analysis to map to the Dockerfile (facts.image).
// The CLI never builds.

import type { AnalysisFacts } from '../analysis/model';
import { connect, probeEngine, resolveFromProcess } from './connect';
import { gatherImage } from './measure';
import { errorText } from './build';

export interface CliMeasureRequest {
  image: string | null;
  /** The base image of the Dockerfile's target chain (from the analysis), null for none. */
  baseImage: string | null;
  required: boolean;
  /** --engine on: the CLI stops without the engine, so the note says why and not "showing estimates". */
  stop?: boolean;
  facts: AnalysisFacts;
}

/** Adds facts.image when an engine and an image are available; returns a note saying why not otherwise. */
export async function measureForCli(req: CliMeasureRequest): Promise<string | null> {
  const resolved = resolveFromProcess();
  const state = await probeEngine(resolved, req.required ? 5000 : 1500);
  // what the CLI does without the engine: show estimates, or (stop) nothing
  const without = (why: string): string =>
    req.stop ? why.replace(/^estimates only: /, '') : `${why}; showing estimates`;
  if (state.status !== 'connected') return without(state.message);
  if (!req.image) {
    process.stderr.write(
      `layer-insight: ${state.message}; give --image REF to map a built image to the Dockerfile (the CLI does not build); showing estimates\n`,
    );
    return null;
  }
  const docker = connect(resolved, 120_000);
  try {
    const gathered = await gatherImage(docker, req.image, {
      baseImage: req.baseImage,
      storageDriver: state.storageDriver,
      engineKind: state.kind,
    });
    req.facts.image = { gathered };
    return null;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) return without(`no image "${req.image}" in the Docker engine at ${resolved.host}`);
    return without(`could not read image "${req.image}" from ${resolved.host}: ${errorText(err)}`);
  }
}
