// The facts of the rebuild forecast for each open Dockerfile (analysis/forecast.ts): its last build record and the
// digests of the context files its steps copy, read again when the document opens, when it or its build context is
// saved (the store's file events), after a build, and on request. Reading them only reads files (our record folder
// and the context), so it runs in an untrusted workspace too; the base images' IDs are asked of the engine only when
// the host allows it. One read per document at a time; a change during a read asks for another when it ends.

import * as path from 'node:path';
import { URI } from 'vscode-uri';
import type { BuildFacts, BuildContextFacts, DockerfileModel } from '../analysis/model';
import { baseRefs, contextDigests } from '../facts/buildFacts';
import { loadRecord } from '../facts/buildRecords';

export interface ForecastHost {
  /** Folders that may hold records, in order of preference (the workspace storage, the CLI's cache). */
  recordDirs(): string[];
  /** The document's latest model and its build context listing, when known. */
  current(uri: string): { model: DockerfileModel; context?: BuildContextFacts } | undefined;
  /** The image IDs of these references, when the engine may be asked (else undefined). */
  baseIds(refs: string[]): Promise<Map<string, string | null> | undefined>;
  /** New facts for this document: analyse and publish it again. */
  set(uri: string, facts: BuildFacts | undefined): void;
}

interface Reading {
  running: boolean;
  again: boolean;
  /** What the last facts set were read from: the same again changes nothing and is not set. */
  last?: string;
}

export class ForecastFacts {
  private readonly reading = new Map<string, Reading>();

  constructor(private readonly host: ForecastHost) {}

  /** Reads the document's facts again (now, or when the read in flight ends). Never throws. */
  refresh(uri: string): Promise<void> {
    let r = this.reading.get(uri);
    if (!r) this.reading.set(uri, (r = { running: false, again: false }));
    if (r.running) {
      r.again = true;
      return Promise.resolve();
    }
    r.running = true;
    return this.read(uri).finally(() => {
      const now = this.reading.get(uri);
      if (!now) return;
      now.running = false;
      if (now.again) {
        now.again = false;
        void this.refresh(uri);
      }
    });
  }

  closed(uri: string): void {
    this.reading.delete(uri);
  }

  private async read(uri: string): Promise<void> {
    const file = fsPath(uri);
    if (!file) return;
    try {
      const facts = await this.gather(uri, file);
      const r = this.reading.get(uri);
      // not ready (the context listing is being read: its end asks again)
      if (!r || facts === undefined) return;
      const sig = signature(facts);
      if (sig === r.last) return;
      r.last = sig;
      this.host.set(uri, facts);
    } catch {
      // a record or a context that cannot be read: no forecast for now (the next save tries again)
    }
  }

  private async gather(uri: string, file: string): Promise<BuildFacts | undefined> {
    const records = await Promise.all(this.host.recordDirs().map((d) => loadRecord(d, file)));
    const record = records.reduce((a, b) => (b && (!a || b.time > a.time) ? b : a), null);
    if (!record) return { record: null, reason: 'no build of this Dockerfile was recorded yet: build it once' };
    const cur = this.host.current(uri);
    if (!cur?.context) return undefined;
    const digests = await contextDigests(cur.model, cur.context, record.builder);
    const baseIds = await this.host.baseIds(baseRefs(cur.model));
    return { record, digests, ...(baseIds ? { baseIds } : {}) };
  }
}

function signature(f: BuildFacts | undefined): string {
  if (!f) return '';
  if (!f.record) return 'none';
  const digests = f.digests ? [...f.digests].map(([p, d]) => `${p}\0${d}`).join('\n') : '-';
  const ids = f.baseIds ? [...f.baseIds].map(([r, i]) => `${r}\0${i}`).join('\n') : '-';
  return `${f.record.time}\n${f.record.dockerfile}\n${ids}\n${digests}`;
}

function fsPath(uri: string): string | null {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? path.resolve(u.fsPath) : null;
  } catch {
    return null;
  }
}
