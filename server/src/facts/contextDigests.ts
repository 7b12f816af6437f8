// Content digests of build-context files, for the build record and the rebuild forecast (analysis/buildInputs.ts):
// what the builders' cache keys read of a file is its content (and whether it is executable), never its mtime.
//
// Context files are untrusted input, read as facts/context.ts reads them: a symlink is hashed as its target text
// (Docker sends the link, not what it points at), only regular files are opened (O_NOFOLLOW | O_NONBLOCK, checked
// with fstat), and the work is bounded: at most MAX_BYTES read per call and a deadline; what is left unread is
// absent from the result (the forecast then says it could not tell). Digests are kept per file by (size, mtime,
// inode), so a save re-reads only the files that changed.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DigestOptions {
  /** Bytes read at most in this call (default 1 GB). */
  maxBytes?: number;
  /** Milliseconds at most (default 20 s). */
  maxMillis?: number;
}

interface Kept {
  size: number;
  mtimeMs: number;
  ino: number;
  mode: number;
  digest: string;
}

/** Digests by absolute path; the oldest half is dropped when it grows past MAX_KEPT. */
const kept = new Map<string, Kept>();
const MAX_KEPT = 200_000;
const CHUNK = 1 << 20;

export async function digestFiles(
  root: string,
  paths: readonly string[],
  opts: DigestOptions = {},
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const deadline = Date.now() + (opts.maxMillis ?? 20_000);
  let budget = opts.maxBytes ?? 1_000_000_000;
  const realRoot = await fs.promises.realpath(root).catch(() => null);
  if (realRoot === null) return out;
  const inside = new Map<string, boolean>();
  for (const rel of paths) {
    if (Date.now() > deadline || budget < 0) break;
    if (rel.split('/').includes('..') || path.isAbsolute(rel)) continue;
    // a folder swapped for a link since the listing must not lead outside the context
    const dir = path.posix.dirname(rel);
    let ok = inside.get(dir);
    if (ok === undefined) inside.set(dir, (ok = await isInside(realRoot, path.join(realRoot, dir))));
    if (!ok) continue;
    const d = await digestOne(path.join(realRoot, rel), (n) => (budget -= n));
    if (d !== null) out.set(rel, d);
  }
  return out;
}

async function isInside(realRoot: string, dir: string): Promise<boolean> {
  const real = await fs.promises.realpath(dir).catch(() => null);
  return real !== null && (real === realRoot || real.startsWith(realRoot + path.sep));
}

async function digestOne(abs: string, charge: (bytes: number) => void): Promise<string | null> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(abs);
  } catch {
    return null;
  }
  const k = kept.get(abs);
  if (k && k.size === st.size && k.mtimeMs === st.mtimeMs && k.ino === st.ino && k.mode === st.mode) return k.digest;
  let digest: string | null = null;
  if (st.isSymbolicLink()) {
    const target = await fs.promises.readlink(abs).catch(() => null);
    digest = target === null ? null : `l${hash(Buffer.from(target))}`;
  } else if (st.isFile()) {
    digest = await readDigest(abs, charge);
    if (digest !== null && (st.mode & 0o111) !== 0) digest = `x${digest}`;
  } else digest = `t${st.mode & fs.constants.S_IFMT}`;
  if (digest !== null) remember(abs, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, mode: st.mode, digest });
  return digest;
}

async function readDigest(abs: string, charge: (bytes: number) => void): Promise<string | null> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    if (!(await fh.stat()).isFile()) return null;
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      charge(bytesRead);
      h.update(buf.subarray(0, bytesRead));
    }
    return h.digest('hex').slice(0, 16);
  } catch {
    return null;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function hash(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

function remember(abs: string, k: Kept): void {
  if (kept.size >= MAX_KEPT) {
    let drop = MAX_KEPT / 2;
    for (const key of kept.keys()) {
      if (drop-- <= 0) break;
      kept.delete(key);
    }
  }
  kept.set(abs, k);
}
