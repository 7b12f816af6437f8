// The package names a Node lockfile lists, for the npm/yarn/pnpm estimate (./npm.ts): package-lock.json and
// npm-shrinkwrap.json (lockfile v1 nesting and v2/v3 `packages`), yarn.lock (classic and berry), pnpm-lock.yaml.
// Read from the text alone; names only, no versions.

/** Package names in a lockfile (npm v1-v3, yarn classic/berry, pnpm); null when the file is not one or unreadable. */
export function lockPackages(text: string, path: string, omitDev: boolean): string[] | null {
  if (/package-lock\.json$|npm-shrinkwrap\.json$/.test(path)) return npmLockPackages(text, omitDev);
  if (/yarn\.lock$/.test(path)) return yarnLockPackages(text);
  if (/pnpm-lock\.yaml$/.test(path)) return pnpmLockPackages(text);
  return null;
}

type Deps = Record<string, { dev?: boolean; dependencies?: Deps }>;

/** package-lock.json / npm-shrinkwrap.json: v2/v3 `packages` paths, else v1's nested `dependencies`. */
function npmLockPackages(text: string, omitDev: boolean): string[] | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const j = json as {
    packages?: Record<string, { dev?: boolean }>;
    dependencies?: Record<string, { dev?: boolean }>;
  };
  if (j.packages) {
    return Object.entries(j.packages)
      .filter(([k, v]) => k.includes('node_modules/') && !(omitDev && v.dev))
      .map(([k]) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  if (j.dependencies) return npmV1Packages(j.dependencies as Deps, omitDev);
  return [];
}

/** Lockfile v1's `dependencies`, nested as deep as the file likes. */
function npmV1Packages(dependencies: Deps, omitDev: boolean): string[] {
  const out: string[] = [];
  // depth first in the order written, with a stack of levels, not recursion: the lockfile is the context's, and
  // its nesting as deep as it likes
  const stack: { entries: [string, Deps[string]][]; next: number }[] = [
    { entries: Object.entries(dependencies), next: 0 },
  ];
  while (stack.length) {
    const level = stack[stack.length - 1];
    if (level.next >= level.entries.length) {
      stack.pop();
      continue;
    }
    const [k, v] = level.entries[level.next++];
    if (omitDev && v?.dev) continue;
    out.push(k);
    if (v?.dependencies) stack.push({ entries: Object.entries(v.dependencies), next: 0 });
  }
  return out;
}

/** yarn.lock: the names of its entries' keys (`"@scope/x@^1.0.0", "@scope/x@^1.1.0":`). */
function yarnLockPackages(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (/^\s|^#|^$/.test(line)) continue;
    const first = line
      .split(',')[0]
      .replace(/^"|"$|:$/g, '')
      .replace(/"?:?$/, '');
    const m = /^(@?[^@]+)@/.exec(first);
    if (m) names.add(m[1]);
  }
  return [...names];
}

/** pnpm-lock.yaml: the names of its package keys (`  /name@1.0.0:`, `  '@scope/name@1.0.0':`). */
function pnpmLockPackages(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^ {2}'?\/?(@?[^@\s'/]+(?:\/[^@\s']+)?)@[^:]*'?:\s*$/.exec(line);
    if (m) names.add(m[1]);
  }
  return [...names];
}
