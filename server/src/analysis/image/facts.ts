// What the engine module gathers about an image and a build, as plain data: the analysis maps it to the Dockerfile
// it has just parsed (map.ts). Nothing here refers to a Dockerfile's steps: the engine does not parse Dockerfiles.

/** One entry of an image's history (`docker history`), oldest first. */
export interface HistoryEntry {
  id: string;
  /** Seconds since the epoch. */
  created: number;
  createdBy: string;
  /** Bytes, as `docker history` reports them. */
  size: number;
  comment: string;
  tags: string[];
}

export interface LayerFile {
  path: string;
  bytes: number;
}

export interface HiddenFile extends LayerFile {
  /** Manifest index of the other layer: the one that hid it (wasted) or created it (removed). */
  layer: number;
  how: 'deleted' | 'overwritten';
}

export interface LayerAnalysis {
  /** Position in the image's layer list (manifest order, base first). */
  index: number;
  /** Name of the layer in the save tar. */
  tarPath: string;
  files: number;
  /** Σ sizes of the regular files in the layer. */
  bytes: number;
  largest: LayerFile[];
  /** Bytes this layer adds that later layers delete or overwrite (they still ship in the image). */
  wastedBytes: number;
  /** Bytes of earlier layers this layer deletes or overwrites. */
  removesBytes: number;
  /** Largest of this layer's files that later layers hide. */
  wastedFiles: HiddenFile[];
  /** Largest of the earlier files this layer hides. */
  removedFiles: HiddenFile[];
}

export interface ImageConfigHistory {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The layers of an image's save tar (engine/layers.ts reads it). */
export interface SaveAnalysis {
  layers: LayerAnalysis[];
  /** The image config's history (oldest first, with empty_layer), when found in the tar. */
  history: ImageConfigHistory[] | null;
  diffIds: string[];
  /** Σ wastedBytes over the layers: every hidden copy once. */
  wastedBytes: number;
}

/** What was read from the engine for one image; enough to map it to any version of the Dockerfile without I/O. */
export interface GatheredImage {
  imageRef: string;
  imageId: string;
  bytes: number;
  layerCount: number;
  history: HistoryEntry[];
  /** The base image that was looked up (the caller's base reference), null when none was. */
  baseImage: string | null;
  /** Length of the base image's own history, when the base is local. */
  baseHistoryLength?: number;
  /** ONBUILD triggers of the base image (0 when the base is not local). */
  onbuildTriggers: number;
  save: SaveAnalysis | null;
  /** How the engine counts bytes, e.g. "overlay2 on-disk, uncompressed". */
  sizeKind: string;
  /** Why the layer analysis is missing, when it is. */
  layersNote?: string;
}

/** One step as the builder reported it during a build, in the builder's order (not yet placed on a line). */
export interface BuilderStep {
  /** The builder's own name for the step: "Step 3/5 : RUN make" (legacy), "[stage-1 2/4] RUN make" (BuildKit). */
  name: string;
  cached: boolean;
  durationMs?: number;
  error?: string;
}

/** A build we ran: what it built, how, and its raw step records. */
export interface ImageBuild {
  /** buildah: Podman's builder, whose step lines read like the legacy builder's (numbered per stage). */
  builder: 'buildkit' | 'legacy' | 'buildah';
  /** The Dockerfile text that was built: records are placed on its steps, then carried to the text analysed. */
  text: string;
  target?: string;
  buildArgs?: Record<string, string>;
  records: BuilderStep[];
}

/** An image mapped to a Dockerfile: the gathered facts, and the build that made it when we built it. */
export interface ImageFacts {
  gathered: GatheredImage;
  /** The stage the image was built for, when not the Dockerfile's last one. */
  target?: string;
  build?: ImageBuild;
}
