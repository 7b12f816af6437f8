// Where build records live (analysis/buildRecord.ts): one JSON file per Dockerfile, named by a digest of its absolute
// path, in a folder of ours: the extension's workspace storage, or for the CLI $LAYER_INSIGHT_CACHE, else
// $XDG_CACHE_HOME/layer-insight, else ~/.cache/layer-insight. Safe to delete (no record: no forecast). A file that
// is too large, unreadable or not a record of this version reads as no record. Writes go to a temporary file first,
// then a rename, so a reader never sees half a record.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRecord, type BuildRecord } from '../analysis/buildRecord';

const MAX_RECORD_BYTES = 16_000_000;

/** The CLI's folder for build records. */
export function cliRecordDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAYER_INSIGHT_CACHE) return path.join(env.LAYER_INSIGHT_CACHE, 'builds');
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'layer-insight', 'builds');
}

function recordFile(dir: string, dockerfile: string): string {
  const key = createHash('sha256').update(path.resolve(dockerfile)).digest('hex').slice(0, 24);
  return path.join(dir, `${key}.json`);
}

/** The last record for this Dockerfile, or null. Never throws. */
export async function loadRecord(dir: string, dockerfile: string): Promise<BuildRecord | null> {
  try {
    const file = recordFile(dir, dockerfile);
    const st = await fs.promises.lstat(file);
    if (!st.isFile() || st.size > MAX_RECORD_BYTES) return null;
    const record = readRecord(JSON.parse(await fs.promises.readFile(file, 'utf8')));
    return record && record.dockerfile === path.resolve(dockerfile) ? record : null;
  } catch {
    return null;
  }
}

/** Writes the record (replacing the last one for its Dockerfile). Returns the file, or throws with a sentence. */
export async function saveRecord(dir: string, record: BuildRecord): Promise<string> {
  const file = recordFile(dir, record.dockerfile);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
  await fs.promises.rename(tmp, file);
  return file;
}
