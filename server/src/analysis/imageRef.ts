// Image references as written after FROM: `[registry/]repository[:tag][@digest]`. The one reader of references
// that the rules, the rewrites, the cache model, the base-image table and the engine's image names share: read the
// parts, check them against Docker's reference grammar (distribution/reference), say how firmly a reference pins its
// image (tagPin), and write a reference with another tag.

import type { Stage } from './model';
import { referencedVariables } from './variables';

export interface ImageRef {
  /** Registry host when the reference names one (`gcr.io`, `mcr.microsoft.com`), else null. */
  registry: string | null;
  /** Repository path without registry, `library/` removed: `node`, `distroless/static-debian12`. */
  repository: string;
  /** The tag, or null (Docker then uses `latest`). */
  tag: string | null;
  digest: string | null;
}

/** Docker Hub under each of its names; a reference through any of them is a Hub reference (registry null). */
const HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.docker.com',
]);

export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | null = null;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (registry !== null && HUB_HOSTS.has(registry.toLowerCase())) registry = null;
  if (registry === null) rest = rest.replace(/^library\//, '');
  return { registry, repository: rest, tag, digest };
}

/** Docker refuses repository names longer than this; a reference adds a tag and a digest. */
export const MAX_REFERENCE = 512;
/** A path component: lowercase alphanumerics joined by `.`, `_`, `__` or dashes. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_PART = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const PORT = /^[0-9]{1,5}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;

/**
 * Why `ref` is not a reference by Docker's grammar (`[host[:port]/]path[:tag][@digest]`), or null when it is one.
 * What passes is made of [A-Za-z0-9._:/@-] and has no `..` path segment.
 */
export function referenceProblem(ref: string): string | null {
  if (ref.length === 0) return 'an empty image name';
  if (ref.length > MAX_REFERENCE) return `an image name longer than ${MAX_REFERENCE} characters`;
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

function validHost(host: string): boolean {
  const colon = host.lastIndexOf(':');
  const name = colon >= 0 ? host.slice(0, colon) : host;
  if (colon >= 0 && !PORT.test(host.slice(colon + 1))) return false;
  return name.split('.').every((part) => DOMAIN_PART.test(part));
}

/**
 * How firmly a FROM names its image, that is, whether the same text can pull a different image next month.
 * - `digest`: `@sha256:...` names exactly one image, whatever the tag says.
 * - `version`: a full version, three numeric components anywhere in the tag (`3.12.4`, `1.97.1-slim-trixie`,
 *   `x86_64-musl-stable-1.97.1`), or a date-stamped snapshot (`bookworm-20240110`, `jammy-20240111`). Publishers
 *   rarely push such a tag again (official images do rebuild them for security updates of their OS layer).
 * - `partial`: a version with fewer components (`20`, `3.12`, `20-alpine`, `10.0-noble`): it moves to each new
 *   release under it.
 * - `named`: a tag that starts with no version (`bookworm-slim`, `lts`, `builder-go`, `base2`, `python3.10`): it
 *   moves whenever the publisher pushes.
 * - `latest`, `none` (no tag: Docker pulls `latest`): move with every release.
 * - `scratch`: the empty image, nothing to pull.
 * - `stage`: FROM an earlier stage of the file (stagePin only): it is built here, it does not float.
 * - `unknown`: not a reference we can read: a variable left in it (`$VAR`), or text that is no reference (a
 *   template's `{{`). We say nothing about such a base.
 */
export type TagPin = 'digest' | 'version' | 'partial' | 'named' | 'latest' | 'none' | 'scratch' | 'stage' | 'unknown';

/** Three dot-separated numbers, not inside a longer run of digits and dots. */
const FULL_VERSION = /(?:^|[^0-9.])v?\d+\.\d+\.\d+/;
/** A date stamp YYYYMMDD (1900-2099), not inside a longer number. */
const DATE_STAMP = /(?:^|\D)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:\D|$)/;

/** How firmly `ref` pins its image (see TagPin); never `stage` (a reference alone does not know the stages). */
export function tagPin(ref: string): TagPin {
  const text = ref.trim();
  if (text.toLowerCase() === 'scratch') return 'scratch';
  // the grammar check also bounds the tag (128 characters) before the patterns below read it
  if (text.includes('$') || referenceProblem(text) !== null) return 'unknown';
  const r = parseImageRef(text);
  if (r.digest !== null) return 'digest';
  if (r.tag === null) return 'none';
  if (r.tag === 'latest') return 'latest';
  if (FULL_VERSION.test(r.tag) || DATE_STAMP.test(r.tag)) return 'version';
  return /^v?\d/.test(r.tag) ? 'partial' : 'named';
}

/** Whether a base of this pin can change under the same FROM text: partial, named, `latest` and no tag. */
export function floats(pin: TagPin): boolean {
  return pin === 'partial' || pin === 'named' || pin === 'latest' || pin === 'none';
}

/**
 * How firmly a stage's FROM pins its base. A stage built FROM an earlier stage is `stage`. A FROM that names a
 * variable without a value in the file (an ARG without default, or one BuildKit sets such as TARGETARCH) is
 * `unknown`: the image is chosen at build time, and the build-arg cause of the cache model covers it. A value given
 * with --build-arg to an ARG without default is not seen here (the model keeps the file's values), so such a FROM is
 * `unknown` too: conservative, we claim no floating tag we cannot read. Otherwise the expanded reference decides.
 */
export function stagePin(
  stage: Pick<Stage, 'baseStage' | 'from' | 'fromRaw'>,
  globalArgs: ReadonlyMap<string, string | null>,
): TagPin {
  if (stage.baseStage !== null) return 'stage';
  if (stage.fromRaw.includes('$')) {
    for (const name of referencedVariables(stage.fromRaw))
      if ((globalArgs.get(name) ?? null) === null) return 'unknown';
  }
  return tagPin(stage.from);
}

/**
 * Why the image a floating reference names changes under the same text (for a cache reason: "re-runs when the base
 * image ... is updated: <this>"), or null when `ref` does not float.
 */
export function whyFloats(ref: string): string | null {
  const pin = tagPin(ref);
  const tag = parseImageRef(ref.trim()).tag ?? '';
  switch (pin) {
    case 'none':
      return 'no tag means "latest", which moves with every release';
    case 'latest':
      return 'the tag "latest" moves with every release';
    case 'partial':
      return /^v?\d+\.\d/.test(tag)
        ? `the tag "${tag}" names a minor version and moves with each patch release`
        : `the tag "${tag}" names a major version and moves with each release`;
    case 'named':
      return `the tag "${tag}" is a name, not a full version, and moves with each new build`;
    default:
      return null;
  }
}

/** The reference without its digest: `node:20`, `gcr.io/distroless/cc-debian12`. */
export function formatImageRef(r: ImageRef): string {
  return `${r.registry ? r.registry + '/' : ''}${r.repository}${r.tag ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}

/** The official-image name (`node`, `python`) when the reference is a Docker Hub library image, else null. */
export function officialName(r: ImageRef): string | null {
  return r.registry === null && !r.repository.includes('/') ? r.repository : null;
}

/** Already a small variant: slim, alpine, distroless, scratch, busybox, JRE-only or a `-runtime` image. */
export function isSmallVariant(ref: string): boolean {
  const r = parseImageRef(ref);
  const name = `${r.repository}:${r.tag ?? ''}`;
  return (
    ref === 'scratch' ||
    /distroless|chainguard|busybox|(^|\/)static(:|-)/.test(r.repository) ||
    /(^|[-.:_])(slim|alpine|minimal|jre)([-.:_\d]|$)/.test(r.tag ?? '') ||
    /^alpine$/.test(r.repository) ||
    /(^|[-:])(alpine|slim)/.test(name)
  );
}

/** The Debian release a tag names (`bookworm`, `bullseye`, `trixie`), or null. */
export function debianRelease(tag: string | null): string | null {
  const m = /(buster|bullseye|bookworm|trixie)/.exec(tag ?? '');
  return m ? m[1] : null;
}

/** The Alpine version a tag names (`alpine3.20` -> `3.20`), or null. */
export function alpineVersion(tag: string | null): string | null {
  const m = /alpine(\d+\.\d+)/.exec(tag ?? '');
  return m ? m[1] : null;
}
