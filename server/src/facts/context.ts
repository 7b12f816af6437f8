// Reads a build context folder as the builder would see it: every file not excluded by .dockerignore, with its
// size, the text of the dependency manifests the size estimates read, and the workspace members project files
// declare (facts/projectFiles.ts). The result is plain data for analysis/.
//
// A context is untrusted input (a cloned repository), so:
// - Bounded: at most `maxFiles` files and `maxMillis` of listing, checked at every entry (one folder can hold
//   200,000 files; folders are read with opendir, a batch of names at a time); `truncated` says a limit was hit.
// - Symlinks are what Docker sends: a link, not its target. The listing never follows them (a link counts 0 bytes)
//   and neither do content reads, except a link whose target resolves inside the context to a regular file (a
//   monorepo's shared lockfile; the Docker CLI also follows a .dockerignore link): a link to /etc/shadow or
//   /dev/urandom is not read.
// - Only regular files are read: FIFOs, sockets and devices are listed (Docker sends them as such) but never
//   opened for content. Files are opened with O_NOFOLLOW | O_NONBLOCK (a FIFO swapped in after the lstat cannot
//   block a thread of Node's pool) and checked with fstat on the opened file, size cap included, before reading.
// - .dockerignore follows Docker's rules (analysis/glob.ts: linear-time matching, exceptions, parent folders).

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ignoreHits,
  ignoredByHits,
  isIgnored,
  mayReinclude,
  parseDockerignore,
  type DockerIgnore,
} from '../analysis/glob';
import type { BuildContextFacts, ContextFile } from '../analysis/model';
import { installScripts, WORKSPACE_FILES, workspacePatterns } from './projectFiles';

export interface ReadContextOptions {
  maxFiles?: number;
  maxMillis?: number;
  /** The Dockerfile's path, if inside the context: Docker always sends it, but COPY . . does copy it unless ignored. */
  dockerfile?: string;
}

/** Caps of the project files read (package.json, pnpm-workspace.yaml, Cargo.toml, go.work). */
const WORKSPACE_MAX_BYTES = 1_000_000;
const WORKSPACE_MAX_FILES = 60;
/** Caps of the manifests read (outside node_modules; each file, how many). */
const MANIFEST_MAX_BYTES = 8_000_000;
const MANIFEST_MAX_FILES = 40;
/** A .dockerignore larger than this is not read (Docker's own reader stops at 64 kB per line). */
const DOCKERIGNORE_MAX_BYTES = 1_000_000;
/** Manifests may still be read this long after the listing's deadline. */
const READ_GRACE_MS = 2_000;

export async function readBuildContext(root: string, opts: ReadContextOptions = {}): Promise<BuildContextFacts> {
  const maxFiles = opts.maxFiles ?? 50_000;
  const deadline = Date.now() + (opts.maxMillis ?? 3_000);
  const realRoot = await fs.promises.realpath(root).catch(() => path.resolve(root));
  const ignoreText = await readContextFile(root, realRoot, '.dockerignore', DOCKERIGNORE_MAX_BYTES, deadline);
  const ignore = parseDockerignore(ignoreText ?? '');
  const listing = await listContext(root, ignore, maxFiles, deadline);
  const files = listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const contents = await readManifests(root, realRoot, files, listing.readable, deadline + READ_GRACE_MS);
  const project = await readProjectFiles(root, realRoot, files, listing.readable, deadline + READ_GRACE_MS);
  return { root, files, truncated: listing.truncated, hasDockerignore: ignoreText !== null, contents, ...project };
}

interface Listing {
  files: ContextFile[];
  /** Paths lstat found to be regular files or symlinks (the only ones whose content may be read). */
  readable: Set<string>;
  truncated: boolean;
  /** Files listed but not yet lstat'ed (a batch at a time: one by one is ~3x slower). */
  pending: string[];
}

const LSTAT_BATCH = 32;

/** The files Docker would send, breadth first; stops at maxFiles or the deadline, checked at every entry. */
async function listContext(root: string, ignore: DockerIgnore, maxFiles: number, deadline: number): Promise<Listing> {
  const out: Listing = { files: [], readable: new Set(), truncated: false, pending: [] };
  const stop = (): boolean => out.files.length + out.pending.length >= maxFiles || Date.now() > deadline;
  // folders still to read, with the .dockerignore rules each matched (its own path or a parent's)
  const queue: { rel: string; hits: Uint8Array }[] = [{ rel: '', hits: new Uint8Array(ignore.rules.length) }];
  for (let q = 0; q < queue.length; q++) {
    const { rel, hits } = queue[q];
    queue[q] = { rel: '', hits: EMPTY }; // let the folder's data go
    const ok = await listFolder(root, rel, hits, ignore, queue, out, stop);
    await addFiles(root, out);
    if (!ok) {
      out.truncated = true;
      break;
    }
  }
  return out;
}

const EMPTY = new Uint8Array(0);

/** Lists one folder into `out`, queueing its subfolders; false when `stop` said a limit was hit. */
async function listFolder(
  root: string,
  rel: string,
  parentHits: Uint8Array,
  ignore: DockerIgnore,
  queue: { rel: string; hits: Uint8Array }[],
  out: Listing,
  stop: () => boolean,
): Promise<boolean> {
  let dir: fs.Dir;
  try {
    dir = await fs.promises.opendir(path.join(root, rel), { bufferSize: 128 });
  } catch {
    return !stop(); // unreadable folder: nothing from it
  }
  try {
    for await (const e of dir) {
      if (stop()) return false;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() || (unknownType(e) && (await isFolder(path.join(root, p))))) {
        const hits = ignoreHits(ignore, p, parentHits);
        // an ignored folder can still hold a re-included file ("!dir/keep"): skip it only when no exception can
        if (ignoredByHits(ignore, hits) && !mayReinclude(ignore, p)) continue;
        queue.push({ rel: p, hits });
      } else if (!isIgnored(ignore, p, parentHits)) {
        out.pending.push(p);
        if (out.pending.length >= LSTAT_BATCH) await addFiles(root, out);
      }
    }
  } catch {
    // the folder went away or failed part way: keep what was listed
  }
  return true;
}

/** Some file systems do not say an entry's type when listing a folder. */
function unknownType(e: fs.Dirent): boolean {
  return (
    !e.isFile() && !e.isSymbolicLink() && !e.isFIFO() && !e.isSocket() && !e.isCharacterDevice() && !e.isBlockDevice()
  );
}

async function isFolder(p: string): Promise<boolean> {
  return fs.promises.lstat(p).then(
    (st) => st.isDirectory(),
    () => false,
  );
}

/** Records the pending files with their sizes: a regular file's bytes; 0 for a symlink (sent as a link), FIFO,
 * socket, device. */
async function addFiles(root: string, out: Listing): Promise<void> {
  const batch = out.pending;
  out.pending = [];
  const stats = await Promise.all(batch.map((p) => fs.promises.lstat(path.join(root, p)).catch(() => null)));
  for (let i = 0; i < batch.length; i++) {
    const st = stats[i];
    if (!st || st.isDirectory()) continue; // vanished, or replaced by a folder, since the folder was read
    out.files.push({ path: batch[i], bytes: st.isFile() ? st.size : 0 });
    if (st.isFile() || st.isSymbolicLink()) out.readable.add(batch[i]);
  }
}

/** Lockfiles and requirements files the size estimator reads. */
const MANIFEST =
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|requirements[^/]*\.txt|requirements\/[^/]*\.(?:txt|in)|poetry\.lock|uv\.lock|Pipfile\.lock)$/;
/** npm's record of what a node_modules holds (read when the context sends a node_modules beside a lockfile). */
const HIDDEN_LOCKFILE = /(^|\/)node_modules\/\.package-lock\.json$/;

async function readManifests(
  root: string,
  realRoot: string,
  files: ContextFile[],
  readable: Set<string>,
  deadline: number,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const f of files) {
    const hidden =
      HIDDEN_LOCKFILE.test(f.path) && f.path.indexOf('node_modules/') === f.path.lastIndexOf('node_modules/');
    if (!(hidden || (MANIFEST.test(f.path) && !f.path.includes('node_modules/'))) || !readable.has(f.path)) continue;
    if (f.bytes > MANIFEST_MAX_BYTES) continue;
    if (++n > MANIFEST_MAX_FILES || Date.now() > deadline) break;
    const text = await readContextFile(root, realRoot, f.path, MANIFEST_MAX_BYTES, deadline);
    if (text !== null) out[f.path] = text; // otherwise the estimate says it was not read
  }
  return out;
}

/**
 * What the project files that may declare workspaces (outside node_modules, the shallowest first) declare, by
 * context path: workspace member patterns, and the install scripts of each package.json; files not read (over
 * the caps, unreadable) are absent.
 */
async function readProjectFiles(
  root: string,
  realRoot: string,
  files: ContextFile[],
  readable: Set<string>,
  deadline: number,
): Promise<Pick<BuildContextFacts, 'workspaces' | 'installScripts'>> {
  const depth = (p: string) => p.split('/').length;
  const candidates = files
    .filter((f) => WORKSPACE_FILES.has(f.path.slice(f.path.lastIndexOf('/') + 1)) && readable.has(f.path))
    .filter((f) => !f.path.includes('node_modules/') && f.bytes <= WORKSPACE_MAX_BYTES)
    .sort((a, b) => depth(a.path) - depth(b.path))
    .slice(0, WORKSPACE_MAX_FILES);
  const workspaces: Record<string, string[]> = {};
  const scripts: Record<string, Record<string, string>> = {};
  for (const f of candidates) {
    if (Date.now() > deadline) break;
    const text = await readContextFile(root, realRoot, f.path, WORKSPACE_MAX_BYTES, deadline);
    if (text === null) continue;
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    workspaces[f.path] = workspacePatterns(name, text);
    if (name === 'package.json') scripts[f.path] = installScripts(text);
  }
  return { workspaces, installScripts: scripts };
}

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/**
 * The UTF-8 text of a regular file of the context, or null: missing, not a regular file, a symlink whose target
 * is outside the context or not a regular file, larger than maxBytes, or not read by the deadline.
 */
async function readContextFile(
  root: string,
  realRoot: string,
  rel: string,
  maxBytes: number,
  deadline: number,
): Promise<string | null> {
  const target = await contentPath(path.join(root, rel), realRoot);
  if (target === null) return null;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(target, OPEN_FLAGS);
  } catch {
    return null; // gone, or a symlink swapped in (O_NOFOLLOW)
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > maxBytes) return null;
    return await readBounded(fh, st.size, maxBytes, deadline);
  } catch {
    return null;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The path to open for a context file's content: itself if regular, a symlink's target inside the context. */
async function contentPath(file: string, realRoot: string): Promise<string | null> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(file);
  } catch {
    return null;
  }
  if (st.isFile()) return file;
  if (!st.isSymbolicLink()) return null;
  let real: string;
  try {
    real = await fs.promises.realpath(file);
  } catch {
    return null; // dangling, or a loop
  }
  const inside = path.relative(realRoot, real);
  if (inside === '' || inside === '..' || inside.startsWith('..' + path.sep) || path.isAbsolute(inside)) return null;
  return real;
}

/** Reads an opened regular file up to maxBytes (it may have grown since fstat), stopping at the deadline. */
async function readBounded(
  fh: fs.promises.FileHandle,
  size: number,
  maxBytes: number,
  deadline: number,
): Promise<string | null> {
  const buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
  let len = 0;
  while (len < buf.length) {
    if (Date.now() > deadline) return null;
    const { bytesRead } = await fh.read(buf, len, Math.min(buf.length - len, 1 << 20), len);
    if (bytesRead === 0) break;
    len += bytesRead;
  }
  if (len > maxBytes) return null;
  return buf.subarray(0, len).toString('utf8');
}
