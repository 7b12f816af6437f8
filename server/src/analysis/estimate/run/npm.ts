// RUN steps: what npm ci / npm install / yarn / pnpm add to a layer. Packages named on the command line at their
// measured sizes; else the node_modules folder of the build context when one is sent (the real thing), else the
// packages of the lockfile the stage copied in (./lockfiles.ts), at sizes measured on a real node_modules or the
// measured average (../data/ecosystem-sizes.json). npm keeps the tarballs in its cache unless the RUN cleans it.

import { lookup } from '../../lookup';
import type { AnalysisFacts, BuildContextFacts, Step } from '../../model';
import { charge, FILES_PER_UNIT } from '../budget';
import ecosystem from '../data/ecosystem-sizes.json';
import type { NodeInstall } from '../../packageCommands';
import { joinDir, type StageState } from '../stage';
import { lockPackages } from './lockfiles';
import type { Estimate, RunCommands } from './read';

type NpmSizes = { averageBytes: number; packages: number; sizes: Record<string, number> };

/** npm's cache (~/.npm/_cacache) holds the packed tarballs: ~35 % of the unpacked size (heuristic, gzip ratio). */
export const NPM_CACHE_RATIO = 0.35;

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

/** One npm/yarn/pnpm install of a RUN (whose other commands may clean npm's cache or set NODE_ENV=production). */
export function nodeEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  install: NodeInstall,
  run: RunCommands,
): Estimate {
  const { tool, named } = install;
  const omitDev = install.omitDev || run.nodeProduction;
  const npm = (ecosystem as { npm: NpmSizes }).npm;
  const ctx = facts.context;
  const withCache = (b: number, text: string): Estimate =>
    tool === 'npm' && !run.npmCacheCleaned
      ? {
          bytes: b * (1 + NPM_CACHE_RATIO),
          text: `${text} + ${Math.round(NPM_CACHE_RATIO * 100)} % for npm's cache of the tarballs (heuristic; npm cache clean --force or a cache mount avoids it)`,
        }
      : { bytes: b, text };
  if (named.length) {
    const b = named.reduce((n, p) => n + (lookup(npm.sizes, p.replace(/@[^@/]*$/, '')) ?? npm.averageBytes), 0);
    return withCache(
      b,
      `${tool}: ${named.length} named package${named.length === 1 ? '' : 's'} (their dependencies not counted) at measured sizes or the ${(npm.averageBytes / 1e3).toFixed(0)} kB average`,
    );
  }
  const lockPath = LOCKFILES.map((f) => state.files.get(joinDir(step.workdir, f))?.contextPath ?? null).find(
    (p): p is string => p !== null,
  );
  if (!ctx) return { bytes: null, text: 'no build context' };
  const nm = contextNodeModules(ctx, lockPath);
  if (nm.count)
    return withCache(
      nm.bytes,
      `${tool}: the real size of ${nm.dir}node_modules in the build context (${nm.count} files)`,
    );
  if (!lockPath) return { bytes: null, text: `no lockfile copied to ${step.workdir} before this step` };
  const lock = ctx.contents?.[lockPath];
  if (lock === undefined) return { bytes: null, text: `the lockfile ${lockPath} was not read` };
  const pkgs = lockPackages(lock, lockPath, omitDev);
  if (!pkgs) return { bytes: null, text: `could not read ${lockPath}` };
  let measured = 0;
  let b = 0;
  for (const p of pkgs) {
    const s = lookup(npm.sizes, p);
    if (s !== undefined) {
      measured++;
      b += s;
    } else b += npm.averageBytes;
  }
  return withCache(
    b,
    `${tool}: ${pkgs.length} packages in ${lockPath}${omitDev ? ' (without dev dependencies)' : ''}: ${measured} at sizes measured on a real node_modules, ` +
      `${pkgs.length - measured} at the measured average of ${(npm.averageBytes / 1e3).toFixed(0)} kB (${npm.packages} packages)`,
  );
}

/** A node_modules folder in the context (not ignored), beside the lockfile: the real thing. */
function contextNodeModules(
  ctx: BuildContextFacts,
  lockPath: string | undefined,
): { dir: string; count: number; bytes: number } {
  const dir = lockPath && lockPath.includes('/') ? lockPath.slice(0, lockPath.lastIndexOf('/') + 1) : '';
  charge(Math.ceil(ctx.files.length / FILES_PER_UNIT));
  const nm = ctx.files.filter((f) => f.path.startsWith(`${dir}node_modules/`));
  return { dir, count: nm.length, bytes: nm.reduce((n, f) => n + f.bytes, 0) };
}
