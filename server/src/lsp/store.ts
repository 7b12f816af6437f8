// Parses and analyses each document once per version; every LSP feature reads the cached result.
// Facts that need I/O (the build context listing, git history, images gathered from the engine) are gathered
// asynchronously and, when they change, the documents they concern are analysed again. An image is a fact like the
// others: each analysis maps it to the text it parses, so an edit is analysed (and published) once. Per folder: at
// most one read of each kind at a time, file events batched (a flood of them reads the folder again once), nothing
// kept once no open document uses the folder, and no git at all while the workspace is untrusted (facts/git.ts,
// README "Threat model").

import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { analyze } from '../analysis/analyze';
import type {
  Analysis,
  AnalysisFacts,
  AnalysisOptions,
  BuildContextFacts,
  BuildFacts,
  GitChurn,
  StepResult,
} from '../analysis/model';
import type { ImageFacts } from '../analysis/image/facts';
import { stepIndexAtLine } from '../analysis/steps';
import { readBuildContext } from '../facts/context';
import { readGitChurn } from '../facts/git';

export interface Entry {
  uri: string;
  version: number;
  analysis: Analysis;
}

export interface StoreOptions {
  /** Whether the workspace is trusted (read at each use): git runs only when it is. Default: trusted. */
  trusted?: () => boolean;
  /** How long file events for a folder are gathered before it is read again (default 300 ms). */
  batchMs?: number;
  /** A folder's context listing was read again (its files changed): the open documents that use it. */
  contextRead?: (uris: string[]) => void;
}

/** One fact of a folder read from disk: the last value read, and the read in flight. */
interface Slot<T> {
  value?: T;
  reading: boolean;
  /** The folder changed while a read was in flight: read again when it ends. */
  stale: boolean;
}

/** What the store knows of one build-context folder. */
interface Folder {
  context: Slot<BuildContextFacts>;
  /** Git history (null: not a git work tree, or git failed). */
  git: Slot<GitChurn | null>;
}

export class AnalysisStore {
  private readonly entries = new Map<string, Entry>();
  /** The latest analysis of each open document, valid or not. */
  private readonly last = new Map<string, Analysis>();
  private readonly folders = new Map<string, Folder>();
  private readonly images = new Map<string, ImageFacts>();
  /** The last build record and today's digests of each open document (lsp/forecastFacts.ts). */
  private readonly builds = new Map<string, BuildFacts>();
  /** Folders with file events not yet acted upon, and the timer that will. */
  private readonly changed = new Set<string>();
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly trusted: () => boolean;
  private readonly batchMs: number;
  private readonly contextRead?: (uris: string[]) => void;
  options: AnalysisOptions = {};

  constructor(
    private readonly onFactsChanged: (uri: string) => void,
    opts: StoreOptions = {},
  ) {
    this.trusted = opts.trusted ?? (() => true);
    this.batchMs = opts.batchMs ?? 300;
    this.contextRead = opts.contextRead;
  }

  /** The analysis of this exact version, computed now if needed. */
  get(uri: string, version: number, text: () => string): Entry {
    const cached = this.entries.get(uri);
    if (cached && cached.version === version) return cached;
    this.entries.delete(uri);
    // the previous analysis (even one invalidated by new facts) lends the new one its equal objects: an edit then
    // leaves behind only what it changed (analysis/reuse.ts)
    const analysis = analyze(text(), this.facts(uri), this.options, this.last.get(uri));
    const entry: Entry = { uri, version, analysis };
    this.entries.set(uri, entry);
    this.last.set(uri, analysis);
    return entry;
  }

  peek(uri: string): Entry | undefined {
    return this.entries.get(uri);
  }

  /** Forget the cached analysis (facts or settings changed); the next get() recomputes. */
  invalidate(uri?: string): void {
    if (uri) this.entries.delete(uri);
    else this.entries.clear();
  }

  /** The document was closed: forget it, its image, and the facts of a folder no open document uses. */
  close(uri: string): void {
    this.entries.delete(uri);
    this.last.delete(uri);
    this.images.delete(uri);
    this.builds.delete(uri);
    const dir = contextDirOf(uri);
    if (dir && !this.openDocumentsIn(dir).length) {
      this.folders.delete(dir);
      this.changed.delete(dir);
    }
  }

  /** Folders whose facts are held (for tests and diagnostics). */
  heldFolders(): string[] {
    return [...this.folders.keys()];
  }

  /** An image was built or mapped for this document (undefined: forget it); the document is analysed again. */
  setImage(uri: string, image: ImageFacts | undefined): void {
    if (image) this.images.set(uri, image);
    else this.images.delete(uri);
    this.invalidate(uri);
    this.onFactsChanged(uri);
  }

  getImage(uri: string): ImageFacts | undefined {
    return this.images.get(uri);
  }

  /** The forecast's facts for this document (undefined: none yet). */
  setBuild(uri: string, b: BuildFacts | undefined): void {
    if (b) this.builds.set(uri, b);
    else this.builds.delete(uri);
    this.invalidate(uri);
    this.onFactsChanged(uri);
  }

  /** The build context listing last read for this document's folder, if any. */
  contextOf(uri: string): BuildContextFacts | undefined {
    const dir = contextDirOf(uri);
    return dir ? this.folders.get(dir)?.context.value : undefined;
  }

  /** A watched file changed: every held context that contains it is read again, once per batch of events. */
  contextChangedFor(fileUri: string): void {
    let file: string;
    try {
      file = URI.parse(fileUri).fsPath;
    } catch {
      return;
    }
    for (const dir of this.folders.keys()) if (file.startsWith(dir + path.sep)) this.changed.add(dir);
    this.scheduleBatch();
  }

  /** A build-context file changed: read that context (and its history) again, after the current batch. */
  contextChanged(dir: string): void {
    if (!this.folders.has(dir)) return;
    this.changed.add(dir);
    this.scheduleBatch();
  }

  private scheduleBatch(): void {
    if (this.batchTimer || this.changed.size === 0) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      const dirs = [...this.changed];
      this.changed.clear();
      for (const dir of dirs) this.refresh(dir);
    }, this.batchMs);
    this.batchTimer.unref?.();
  }

  /** Reads a held folder again; the facts read before stay in use until the new ones arrive. */
  private refresh(dir: string): void {
    const folder = this.folders.get(dir);
    if (!folder) return;
    this.read(dir, folder.context, readBuildContext);
    if (this.trusted() && (folder.git.value !== undefined || folder.git.reading)) this.read(dir, folder.git, readChurn);
  }

  private facts(uri: string): AnalysisFacts {
    const facts: AnalysisFacts = {};
    const dir = contextDirOf(uri);
    if (dir) {
      let folder = this.folders.get(dir);
      if (!folder) {
        folder = { context: { reading: false, stale: false }, git: { reading: false, stale: false } };
        this.folders.set(dir, folder);
      }
      if (folder.context.value) facts.context = folder.context.value;
      else if (!folder.context.reading) this.read(dir, folder.context, readBuildContext);
      // untrusted: no git process, and no history read before trust was withdrawn
      if (this.trusted()) {
        if (folder.git.value) facts.git = folder.git.value;
        else if (folder.git.value === undefined && !folder.git.reading) this.read(dir, folder.git, readChurn);
      }
    }
    const image = this.images.get(uri);
    if (image) facts.image = image;
    const b = this.builds.get(uri);
    if (b) facts.build = b;
    return facts;
  }

  /** One read of one fact at a time per folder; a change during a read asks for another read when it ends. */
  private read<T>(dir: string, slot: Slot<T>, reader: (dir: string) => Promise<T>): void {
    if (slot.reading) {
      slot.stale = true;
      return;
    }
    slot.reading = true;
    slot.stale = false;
    reader(dir).then(
      (value) => this.readDone(dir, slot, reader, value),
      () => this.readDone(dir, slot, reader, undefined),
    );
  }

  private readDone<T>(dir: string, slot: Slot<T>, reader: (dir: string) => Promise<T>, value: T | undefined): void {
    slot.reading = false;
    // a failed read keeps what was read before (none yet: the next analysis tries again)
    if (value !== undefined) slot.value = value;
    const folder = this.folders.get(dir);
    if (!folder || (folder.context !== slot && folder.git !== slot)) return; // released while reading
    if (slot.stale) {
      this.read(dir, slot, reader);
      return;
    }
    if (value === undefined || value === null) return;
    const uris = this.openDocumentsIn(dir);
    for (const uri of uris) {
      this.invalidate(uri);
      this.onFactsChanged(uri);
    }
    if (slot === folder.context) this.contextRead?.(uris);
  }

  private openDocumentsIn(dir: string): string[] {
    return [...this.last.keys()].filter((uri) => contextDirOf(uri) === dir);
  }
}

/** Git history of a folder, null when there is none (readGitChurn never rejects). */
async function readChurn(dir: string): Promise<GitChurn | null> {
  return (await readGitChurn(dir)) ?? null;
}

/** The build context of a file-scheme Dockerfile is its folder (what `docker build .` next to it uses). */
export function contextDirOf(uri: string): string | null {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? path.dirname(u.fsPath) : null;
  } catch {
    return null;
  }
}

/** The step whose line range holds this 0-based line. */
export function stepAt(entry: Entry, line0: number): StepResult | undefined {
  const i = stepIndexAtLine(entry.analysis.model.steps, line0 + 1);
  return i < 0 ? undefined : entry.analysis.steps[i];
}
