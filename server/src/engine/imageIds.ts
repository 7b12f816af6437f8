// The local image ID of each base reference (what the next build starts FROM, as far as the local store knows):
// a fact for the rebuild forecast. A reference that is not local, or not a valid reference, gives null.

import type Dockerode from 'dockerode';
import { checkImageReference } from './imageName';

export async function imageIds(docker: Dockerode, refs: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const ref of refs.slice(0, 64)) {
    try {
      const info = (await docker.getImage(checkImageReference(ref)).inspect()) as { Id?: string };
      out.set(ref, info.Id ?? null);
    } catch {
      out.set(ref, null);
    }
  }
  return out;
}
