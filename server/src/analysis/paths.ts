// POSIX paths as a Dockerfile names them, normalised one way for every reader: image paths (COPY destinations,
// WORKDIR, RUN outputs) and build-context paths (COPY sources, mounts, .dockerignore'd listings).

/** An absolute, normalised path: `/a/./b/../c/` -> `/a/c`; `..` at the root stays at the root, as in Docker. */
export function normalizeAbs(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}

/** `name` in the folder `dir`, as an absolute, normalised path; an absolute `name` is itself (as a shell reads it). */
export function joinDir(dir: string, name: string): string {
  return normalizeAbs(name.startsWith('/') ? name : `${dir}/${name}`);
}

/** Is `child` the folder `dir` or inside it? Both normalised and absolute (normalizeAbs); `/` holds everything. */
export function isUnder(child: string, dir: string): boolean {
  if (dir === '/' || child === dir) return true;
  return child.length > dir.length && child.charCodeAt(dir.length) === 47 && child.startsWith(dir);
}

/** A build-context path, relative and normalised: '' for the root (`./`, `/`, `.`); `..` cannot leave the context. */
export function contextPath(raw: string): string {
  return normalizeAbs(raw).slice(1);
}
