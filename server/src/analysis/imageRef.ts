// Image references as written after FROM: `[registry/]repository[:tag][@digest]`. A reader the rules, the rewrites
// and the engine's image names share: read the repository and tag, and write a reference with another tag.

export interface ImageRef {
  /** Registry host when the reference names one (`gcr.io`, `mcr.microsoft.com`), else null. */
  registry: string | null;
  /** Repository path without registry, `library/` removed: `node`, `distroless/static-debian12`. */
  repository: string;
  /** The tag, or null (Docker then uses `latest`). */
  tag: string | null;
  digest: string | null;
}

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
  if (registry === 'docker.io' || registry === null) rest = rest.replace(/^library\//, '');
  if (registry === 'docker.io') registry = null;
  return { registry, repository: rest, tag, digest };
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
