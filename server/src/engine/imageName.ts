// Image names that may go into an Engine API path. dockerode puts the name into the URL as it is
// (`'/images/' + name + '/json'`) and docker-modem does not encode it: a name such as `../../containers/x/json`,
// `x?force=1` or `x#` would address another endpoint, or add a query. The names come from a Dockerfile's FROM
// line, from the map-image prompt and from --image on the command line, so each is checked against Docker's
// reference grammar (distribution/reference) before any request: `[host[:port]/]path[:tag][@digest]`, or an image
// ID. What passes is made of [A-Za-z0-9._:/@-] and cannot contain a `..` path segment.

import { MAX_REFERENCE, referenceProblem } from '../analysis/imageRef';

const SAFE_CHARS = /^[A-Za-z0-9._:/@-]+$/;
/** An image ID, full (`sha256:<64 hex>`) or short (12 to 64 hex digits). */
const IMAGE_ID = /^(?:sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$/;

/** Why this is not an image reference the engine may be asked about, or null when it is one. */
export function imageReferenceProblem(ref: string): string | null {
  if (ref.length === 0) return 'an empty image name';
  if (ref.length > MAX_REFERENCE) return `an image name longer than ${MAX_REFERENCE} characters`;
  if (!SAFE_CHARS.test(ref)) return 'an image name with characters a reference cannot have';
  if (IMAGE_ID.test(ref)) return null;
  // the reference grammar, read by the analysis's one reader of image references
  return referenceProblem(ref);
}

/** Throws when the name may not be used in an Engine API path (see imageReferenceProblem). */
export function checkImageReference(ref: string): string {
  const problem = imageReferenceProblem(ref);
  if (problem) throw new Error(`not a valid image reference (${problem}): ${JSON.stringify(ref.slice(0, 100))}`);
  return ref;
}
