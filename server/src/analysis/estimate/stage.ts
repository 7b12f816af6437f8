// What a stage's image holds so far, as the estimator walks its steps: the base it started from (and, for
// Debian/Ubuntu bases, the Debian index that stands for it), the packages installed by apt-get and apk, the files
// the steps wrote by path, and the RUN steps whose writes could not be sized. A stage FROM another starts with a
// copy of that stage's state.

import type { BaseImageInfo } from './baseImages';
import { charge } from './budget';
import { apkBasePackages } from './run/apk';
import { debianFlavour, type DebianFlavour } from './run/apt';

export interface ImageFile {
  bytes: number;
  /** Which step put it there ("COPY line 4"). */
  from: string;
  /** For files from the build context: their context path (to find lockfiles and requirements). */
  contextPath?: string;
  /** A whole tree sized as one number (node_modules, site-packages): parts of it cannot be sized. */
  aggregate?: boolean;
  /** Its bytes are a lower bound (the step that wrote it left something out). */
  lowerBound?: boolean;
}

/**
 * The files a stage's steps wrote, by path, with an index of the folders above them: "is there a file under this
 * folder?" is asked on every COPY and must not scan every file (a stage may have hundreds of thousands).
 */
export class ImageFiles {
  private readonly files: Map<string, ImageFile>;
  /** Every prefix of a path that ends before one of its `/` (its folders as written). */
  private readonly folders: Set<string>;
  /** Paths too long or too deep to index (crafted ones): looked at one by one. */
  private readonly odd: string[];

  constructor(from?: ImageFiles) {
    if (from) charge(from.files.size + from.folders.size + from.odd.length);
    this.files = new Map(from?.files);
    this.folders = new Set(from?.folders);
    this.odd = from ? from.odd.slice() : [];
  }

  get size(): number {
    return this.files.size;
  }

  get(path: string): ImageFile | undefined {
    return this.files.get(path);
  }

  set(path: string, file: ImageFile): this {
    if (!this.files.has(path)) this.index(path);
    this.files.set(path, file);
    return this;
  }

  /** Every file, in the order written (charged to the estimate's budget: callers walk them all). */
  entries(): IterableIterator<[string, ImageFile]> {
    charge(this.files.size);
    return this.files.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, ImageFile]> {
    return this.entries();
  }

  /** Whether some file's path starts with `folder` + '/'. */
  hasFileUnder(folder: string): boolean {
    if (this.folders.has(folder)) return true;
    if (this.odd.length === 0) return false;
    charge(this.odd.length);
    const prefix = folder + '/';
    return this.odd.some((p) => p.startsWith(prefix));
  }

  private index(path: string): void {
    if (path.length > MAX_INDEXED_PATH) {
      this.odd.push(path);
      return;
    }
    let depth = 0;
    for (let k = path.indexOf('/', 1); k > 0; k = path.indexOf('/', k + 1)) if (++depth > MAX_INDEXED_DEPTH) break;
    if (depth > MAX_INDEXED_DEPTH) {
      this.odd.push(path);
      return;
    }
    for (let k = path.indexOf('/', 1); k > 0; k = path.indexOf('/', k + 1)) this.folders.add(path.slice(0, k));
  }
}

/** Paths longer or deeper than this are not indexed by folder (PATH_MAX is 4096; real paths are far shallower). */
const MAX_INDEXED_PATH = 4096;
const MAX_INDEXED_DEPTH = 64;

export interface StageState {
  base: BaseImageInfo | null;
  baseRef: string | null;
  /** For Debian/Ubuntu bases: the Debian suite whose index we use, why, and what the base already has. */
  debian: DebianFlavour | null;
  aptInstalled: Set<string> | null;
  apkInstalled: Set<string>;
  /** Paths in the stage's filesystem that steps of this Dockerfile wrote, with their sizes. */
  files: ImageFiles;
  /** RUN steps whose output we cannot size (and the folder they ran in). */
  unknownWriters: { line: number; workdir: string }[];
  /**
   * Paths a step wrote that has no size or a lower bound (an ADD of a URL, `curl -o`), with its line, and whether the
   * path is a folder the step put files into (a chown of the folder alone then changes no file of it).
   */
  unsized: Map<string, { line: number; folder: boolean }>;
}

export function newStageState(hit: { info: BaseImageInfo; row: string } | null, ref: string | null): StageState {
  const base = hit?.info ?? null;
  return {
    base,
    baseRef: ref,
    debian: hit ? debianFlavour(hit.info, hit.row, ref ?? hit.row) : null,
    aptInstalled: null,
    apkInstalled: new Set(apkBasePackages(base)),
    files: new ImageFiles(),
    unknownWriters: [],
    unsized: new Map(),
  };
}

export function cloneStageState(s: StageState): StageState {
  charge((s.aptInstalled?.size ?? 0) + s.apkInstalled.size + s.unknownWriters.length + s.unsized.size);
  return {
    ...s,
    aptInstalled: s.aptInstalled ? new Set(s.aptInstalled) : null,
    apkInstalled: new Set(s.apkInstalled),
    files: new ImageFiles(s.files),
    unknownWriters: s.unknownWriters.slice(),
    unsized: new Map(s.unsized),
  };
}
