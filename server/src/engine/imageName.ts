// Image names that may go into an Engine API path. dockerode puts the name into the URL as it is
// (`'/images/' + name + '/json'`) and docker-modem does not encode it: a name such as `../../containers/x/json`,
// `x?force=1` or `x#` would address another endpoint, or add a query. The names come from a Dockerfile's FROM
// line, from the map-image prompt and from --image on the command line, so each is checked against Docker's
// reference grammar (distribution/reference) before any request: `[host[:port]/]path[:tag][@digest]`, or an image
// ID. What passes is made of [A-Za-z0-9._:/@-] and cannot contain a `..` path segment.

import { parseImageRef } from '../analysis/imageRef';

/** Docker refuses repository names longer than this; a reference adds a tag and a digest. */
const MAX_REFERENCE = 512;
const SAFE_CHARS = /^[A-Za-z0-9._:/@-]+$/;
/** A path component: lowercase alphanumerics joined by `.`, `_`, `__` or dashes. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_PART = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const PORT = /^[0-9]{1,5}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
/** An image ID, full (`sha256:<64 hex>`) or short (12 to 64 hex digits). */
const IMAGE_ID = /^(?:sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$/;

/** Why this is not an image reference the engine may be asked about, or null when it is one. */
export function imageReferenceProblem(ref: string): string | null {
  if (ref.length === 0) return 'an empty image name';
  if (ref.length > MAX_REFERENCE) return `an image name longer than ${MAX_REFERENCE} characters`;
  if (!SAFE_CHARS.test(ref)) return 'an image name with characters a reference cannot have';
  if (IMAGE_ID.test(ref)) return null;
  // parseImageRef reads the parts; it drops a leading docker.io/ and library/, which are valid either way
  const r = parseImageRef(ref);
  if (r.registry !== null && !validHost(r.registry)) return `"${r.registry}" is not a registry host`;
  if (r.repository === '' || !r.repository.split('/').every((c) => COMPONENT.test(c))) {
    return 'a repository name must be lowercase letters and digits, separated by ".", "_", "__", "-" or "/"';
  }
  if (r.tag !== null && !TAG.test(r.tag)) return `"${r.tag}" is not a tag`;
  if (r.digest !== null && !DIGEST.test(r.digest)) return `"${r.digest}" is not a digest`;
  return null;
}

/** Throws when the name may not be used in an Engine API path (see imageReferenceProblem). */
export function checkImageReference(ref: string): string {
  const problem = imageReferenceProblem(ref);
  if (problem) throw new Error(`not a valid image reference (${problem}): ${JSON.stringify(ref.slice(0, 100))}`);
  return ref;
}

function validHost(host: string): boolean {
  const colon = host.lastIndexOf(':');
  const name = colon >= 0 ? host.slice(0, colon) : host;
  if (colon >= 0 && !PORT.test(host.slice(colon + 1))) return false;
  return name.split('.').every((part) => DOMAIN_PART.test(part));
}
