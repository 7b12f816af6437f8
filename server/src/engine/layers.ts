// Wasted space per layer, like dive, from the image's save tar (GET /images/{name}/get): for every layer the
// files it adds (largest first), the files a later layer deletes (whiteouts `.wh.name`, opaque dirs
// `.wh..wh..opq`) or overwrites. A hidden copy is counted once, attributed to the layer that created it
// (wastedBytes) and to the layer that hid it (removesBytes); dive counts some twice (wagoodman/dive#684).
// Works with both save layouts: `<id>/layer.tar` (graphdriver store) and `blobs/sha256/<digest>` (OCI, maybe gzip).

import { PassThrough, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Extract } from 'tar-stream';
import type { HiddenFile, ImageConfigHistory, LayerAnalysis, LayerFile, SaveAnalysis } from '../analysis/image/facts';
import { engineLibs } from './lazy';

export type { HiddenFile, ImageConfigHistory, LayerAnalysis, LayerFile, SaveAnalysis };

/** tar-stream is loaded with the other engine libraries, on the first image read (lazy.ts). */
const tarExtract = (): Extract => engineLibs().tarStream.extract();

export interface LayerChanges {
  /** Regular files (path, size); hardlinks and symlinks count 0 bytes, as the storage driver counts them. */
  files: LayerFile[];
  dirs: string[];
  /** Paths removed by whiteouts. */
  whiteouts: string[];
  /** Directories made opaque (their lower content hidden). */
  opaque: string[];
}

const TOP_N = 10;

function normalise(name: string): string {
  let p = name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (p === '.') p = '';
  return p;
}

/** Keeps the N largest. */
function pushTop<T extends { bytes: number }>(list: T[], item: T, n = TOP_N): void {
  if (list.length >= n && list[list.length - 1].bytes >= item.bytes) return;
  let i = list.length;
  while (i > 0 && list[i - 1].bytes < item.bytes) i--;
  list.splice(i, 0, item);
  if (list.length > n) list.pop();
}

/** Reads one layer tar (uncompressed) into its list of changes. */
export function readLayerTar(input: Readable): Promise<LayerChanges> {
  return new Promise((resolve, reject) => {
    const changes: LayerChanges = { files: [], dirs: [], whiteouts: [], opaque: [] };
    const ex = tarExtract();
    ex.on('entry', (h, stream, next) => {
      const p = normalise(h.name);
      const base = p.slice(p.lastIndexOf('/') + 1);
      const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      if (base === '.wh..wh..opq') changes.opaque.push(dir);
      else if (base.startsWith('.wh.')) changes.whiteouts.push(dir ? `${dir}/${base.slice(4)}` : base.slice(4));
      else if (h.type === 'directory') {
        if (p) changes.dirs.push(p);
      } else if (p)
        changes.files.push({ path: p, bytes: h.type === 'file' || h.type === 'contiguous-file' ? h.size : 0 });
      stream.on('end', () => next());
      stream.resume();
    });
    ex.on('finish', () => resolve(changes));
    ex.on('error', reject);
    input.on('error', reject);
    input.pipe(ex);
  });
}

interface Node {
  children: Map<string, Node> | null;
  /** Set for files: which layer made this copy, and its size. */
  file: { layer: number; bytes: number } | null;
}

const newDir = (): Node => ({ children: new Map(), file: null });

/** The merged filesystem as the layers are stacked, each copy tagged with its layer; hiding a copy books it. */
class LayerStack {
  private readonly root = newDir();

  constructor(private readonly out: LayerAnalysis[]) {}

  /** Applies layer i's changes: whiteouts first (they act on the layers below, never on its own files). */
  apply(c: LayerChanges, i: number): void {
    for (const w of c.whiteouts) {
      const found = this.lookup(w, false);
      if (found?.node) {
        this.hide(found.node, w, i, 'deleted');
        found.parent.children?.delete(found.name);
      }
    }
    for (const d of c.opaque) {
      const found = d === '' ? { node: this.root } : this.lookup(d, false);
      const node = found?.node;
      if (node?.children) {
        for (const [name, child] of node.children) this.hide(child, d ? `${d}/${name}` : name, i, 'deleted');
        node.children.clear();
      }
    }
    for (const d of c.dirs) this.addDir(d, i);
    for (const f of c.files) this.addFile(f, i);
  }

  private addDir(d: string, i: number): void {
    const found = this.lookup(d, true);
    if (!found) return;
    if (found.node?.file) this.hide(found.node, d, i, 'overwritten');
    if (!found.node) found.parent.children?.set(found.name, newDir());
    else if (!found.node.children) found.node.children = new Map();
  }

  private addFile(f: LayerFile, i: number): void {
    const found = this.lookup(f.path, true);
    if (!found) return;
    if (found.node) this.hide(found.node, f.path, i, 'overwritten');
    found.parent.children?.set(found.name, { children: null, file: { layer: i, bytes: f.bytes } });
    const a = this.out[i];
    a.files++;
    a.bytes += f.bytes;
    pushTop(a.largest, { path: `/${f.path}`, bytes: f.bytes });
  }

  /**
   * Hides the copy at `p` and everything below it, for layer `by`: each hidden copy of another layer is wasted
   * in its creator and removed by `by`. Depth-first with a stack of its own (a layer's folders can nest deep).
   */
  private hide(top: Node, p: string, by: number, how: 'deleted' | 'overwritten'): void {
    const stack: [Node, string][] = [[top, p]];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const [node, at] = next;
      if (node.file) {
        this.book(node.file, at, by, how);
        node.file = null;
      }
      // pushed in reverse, so that children are visited in their order (as pushTop's ties are decided)
      if (node.children) {
        const children = [...node.children];
        for (let k = children.length - 1; k >= 0; k--) stack.push([children[k][1], `${at}/${children[k][0]}`]);
      }
    }
  }

  private book(file: { layer: number; bytes: number }, p: string, by: number, how: 'deleted' | 'overwritten'): void {
    const { layer, bytes } = file;
    if (layer === by) return;
    this.out[layer].wastedBytes += bytes;
    this.out[by].removesBytes += bytes;
    if (bytes > 0) {
      pushTop(this.out[layer].wastedFiles, { path: p, bytes, layer: by, how });
      pushTop(this.out[by].removedFiles, { path: p, bytes, layer, how });
    }
  }

  /** The node at `p` and its parent folder; with `create`, missing folders on the way are made (a file becomes one). */
  private lookup(p: string, create: boolean): { parent: Node; name: string; node: Node | undefined } | null {
    const parts = p.split('/');
    let cur = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = cur.children?.get(parts[i]);
      if (!next) {
        if (!create) return null;
        next = newDir();
        cur.children?.set(parts[i], next);
      } else if (!next.children) {
        if (!create) return null;
        next.children = new Map();
      }
      cur = next;
    }
    const name = parts[parts.length - 1];
    return { parent: cur, name, node: cur.children?.get(name) };
  }
}

/** Computes the per-layer analysis from each layer's changes, in order (base first). */
export function analyseLayers(layers: { tarPath: string; changes: LayerChanges }[]): LayerAnalysis[] {
  const out: LayerAnalysis[] = layers.map((l, index) => ({
    index,
    tarPath: l.tarPath,
    files: 0,
    bytes: 0,
    largest: [],
    wastedBytes: 0,
    removesBytes: 0,
    wastedFiles: [],
    removedFiles: [],
  }));
  const stack = new LayerStack(out);
  layers.forEach((l, i) => stack.apply(l.changes, i));
  for (const a of out) {
    for (const w of a.wastedFiles) w.path = `/${w.path}`;
    for (const r of a.removedFiles) r.path = `/${r.path}`;
  }
  return out;
}

async function readHead(s: Readable, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const pass = new PassThrough();
  s.pipe(pass);
  const chunks: Buffer[] = [];
  let len = 0;
  const it = pass[Symbol.asyncIterator]();
  while (len < n) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    chunks.push(b);
    len += b.length;
  }
  const head = Buffer.concat(chunks);
  async function* gen(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  const { Readable: R } = await import('node:stream');
  return { head, rest: R.from(gen()) };
}

const MAX_JSON = 32 * 1024 * 1024;

/** Reads a `docker save` tar stream: layer changes, manifest and config; then computes the analysis. */
export async function analyseSaveStream(input: Readable, signal?: AbortSignal): Promise<SaveAnalysis> {
  const jsons = new Map<string, unknown>();
  const layerChanges = new Map<string, LayerChanges>();
  await new Promise<void>((resolve, reject) => {
    const ex = tarExtract();
    const onAbort = (): void => {
      const err = new Error('cancelled');
      ex.destroy(err);
      input.destroy(err);
      reject(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    ex.on('entry', (h, stream, next) => {
      const name = normalise(h.name);
      if (h.type !== 'file' || h.size === 0) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      (async () => {
        const { head, rest } = await readHead(stream, 512);
        if ((head[0] === 0x7b || head[0] === 0x5b) && h.size <= MAX_JSON) {
          const chunks: Buffer[] = [];
          for await (const c of rest) chunks.push(c as Buffer);
          try {
            jsons.set(name, JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            // not JSON after all
          }
        } else if (head[0] === 0x1f && head[1] === 0x8b) {
          layerChanges.set(name, await readLayerTar(rest.pipe(zlib.createGunzip())));
        } else if (
          name.endsWith('.tar') ||
          name.startsWith('blobs/') ||
          head.toString('latin1', 257, 262) === 'ustar'
        ) {
          try {
            layerChanges.set(name, await readLayerTar(rest));
          } catch {
            rest.resume();
          }
        } else {
          for await (const c of rest) void c;
        }
      })().then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    ex.on('finish', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    ex.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    input.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    input.pipe(ex);
  });

  const manifest = jsons.get('manifest.json') as { Config?: string; Layers?: string[] }[] | undefined;
  const m = Array.isArray(manifest) ? manifest[0] : undefined;
  const layerNames = m?.Layers?.map(normalise) ?? [...layerChanges.keys()];
  const config = m?.Config
    ? (jsons.get(normalise(m.Config)) as
        { history?: ImageConfigHistory[]; rootfs?: { diff_ids?: string[] } } | undefined)
    : undefined;
  const empty: LayerChanges = { files: [], dirs: [], whiteouts: [], opaque: [] };
  const layers = analyseLayers(layerNames.map((n) => ({ tarPath: n, changes: layerChanges.get(n) ?? empty })));
  return {
    layers,
    history: config?.history ?? null,
    diffIds: config?.rootfs?.diff_ids ?? [],
    wastedBytes: layers.reduce((s, l) => s + l.wastedBytes, 0),
  };
}
