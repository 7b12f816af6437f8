// Gathers what the engine knows of an image, as plain data (analysis/image/facts.ts GatheredImage): history +
// inspect (+ the base image's history and ONBUILD triggers when it is local), and the save tar's layers for largest
// files and wasted space. The analysis maps it to the Dockerfile (analysis/image/map.ts); nothing here parses one.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { GatheredImage, HistoryEntry } from '../analysis/image/facts';
import { analyseSaveStream, type SaveAnalysis } from './layers';
import { engineKindOf, sizeKindFor, type EngineKind, type InfoAnswer } from './engineKind';
import { checkImageReference } from './imageName';

export interface GatherOptions {
  /** The base image of the Dockerfile's target chain (from the analysis: baseImageOf), null/absent for none. */
  baseImage?: string | null;
  /** Storage driver facts from /info; read from the engine when absent. */
  storageDriver?: string;
  driverStatus?: [string, string][];
  /** Docker or Podman (EngineState.kind): Podman's sizes are tar sizes. Read with the driver when absent. */
  engineKind?: EngineKind;
  /** Read the save tar for largest files and wasted space (default true). */
  layers?: boolean;
  signal?: AbortSignal;
}

interface InspectInfo {
  Id: string;
  Size: number;
  RootFS?: { Layers?: string[] };
  Config?: { OnBuild?: string[] | null };
}

/** Converts the Engine API's /images/{id}/history answer (newest first) to entries oldest first. */
export function fromApiHistory(
  api: { Id?: string; Created?: number; CreatedBy?: string; Size?: number; Comment?: string; Tags?: string[] | null }[],
): HistoryEntry[] {
  return api
    .map((h) => ({
      id: h.Id ?? '<missing>',
      created: h.Created ?? 0,
      createdBy: h.CreatedBy ?? '',
      size: h.Size ?? 0,
      comment: h.Comment ?? '',
      tags: h.Tags ?? [],
    }))
    .reverse();
}

export async function gatherImage(docker: Dockerode, ref: string, opts: GatherOptions = {}): Promise<GatheredImage> {
  // the name goes into the API path unencoded (imageName.ts)
  const image = docker.getImage(checkImageReference(ref));
  const inspect = (await image.inspect()) as unknown as InspectInfo;
  const history = fromApiHistory(
    (await image.history()) as {
      Id?: string;
      Created?: number;
      CreatedBy?: string;
      Size?: number;
      Comment?: string;
      Tags?: string[] | null;
    }[],
  );
  let driver = opts.storageDriver;
  let driverStatus = opts.driverStatus;
  let kind = opts.engineKind;
  if (driver === undefined || kind === undefined) {
    try {
      const info = (await docker.info()) as InfoAnswer;
      driver ??= info.Driver;
      driverStatus ??= info.DriverStatus;
      kind ??= engineKindOf(null, info);
    } catch {
      // unknown driver: a generic label
    }
  }
  const sizeKind = sizeKindFor(kind ?? 'docker', driver, driverStatus);

  // the external base of the target chain (the caller's analysis names it), when it is local: its history length
  // and ONBUILD triggers
  const baseImage = opts.baseImage ?? null;
  let baseHistoryLength: number | undefined;
  let onbuildTriggers = 0;
  if (baseImage !== null) {
    try {
      // a FROM that is no image reference (an unset ${VAR}, or a crafted path) is never sent to the engine
      const b = docker.getImage(checkImageReference(baseImage));
      const bi = (await b.inspect()) as unknown as InspectInfo;
      baseHistoryLength = ((await b.history()) as unknown[]).length;
      onbuildTriggers = bi.Config?.OnBuild?.length ?? 0;
    } catch {
      // base not local (or renamed): count from the Dockerfile instead
    }
  }

  let save: SaveAnalysis | null = null;
  let layersNote: string | undefined;
  if (opts.layers !== false) {
    try {
      const stream = (await image.get()) as unknown as Readable;
      save = await analyseSaveStream(stream, opts.signal);
    } catch (err) {
      layersNote = `layer contents not read: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return {
    imageRef: ref,
    imageId: inspect.Id,
    bytes: inspect.Size,
    layerCount: inspect.RootFS?.Layers?.length ?? 0,
    history,
    baseImage,
    baseHistoryLength,
    onbuildTriggers,
    save,
    sizeKind,
    layersNote,
  };
}
