// npm-cache-left (its yarn part is hadolint DL3060)
//
// What: `npm ci` / `npm install` or a yarn (classic) install in a RUN that does not clean the package manager's
// cache in that same RUN, in a stage that reaches the final image.
// Why: npm keeps every tarball it downloaded, and for lockfile entries without a `resolved` URL or packages named on
// the command line the registry's document of each package, in ~/.npm/_cacache; yarn classic keeps every package
// unpacked plus its tarball in /usr/local/share/.cache/yarn. For an express API that is a few MB, for a Next.js
// app 100 MB and more, and the image never reads it. Cleaning it in a later RUN does not help: the bytes stay in
// this layer. The size shown is the npm estimator's (estimate/run/npm.ts), when it sized the install.
// Not a finding when the RUN runs `npm cache clean --force` / `yarn cache clean` or removes the cache folder, when
// a cache mount covers it (`--mount=type=cache,target=/root/.npm`), or for pnpm (its store is the install).
// Fix: append `npm cache clean --force` (yarn: `yarn cache clean`) to the same RUN; the message also names the
// cache mount, which keeps the cache between builds without putting it in the layer. Not offered (the finding says
// why) when a later install built on this RUN (same stage, or a stage FROM it) runs `--offline`: it reads that cache.

import { commandsOf } from '../shell';
import { mountCovers } from '../sources';
import { appendToRun } from '../rewrite/runEdits';
import { cleansNpmCache, packageCommand, readNodeInstall } from '../packageCommands';
import { stepsAfter } from '../steps';
import { nodeCacheLeft } from '../estimate/run/npm';
import type { DockerfileModel, Step } from '../model';
import { stepsInFinalImage, type Rule, type RuleFinding } from './rule';

const CACHE_DIRS = { npm: '/root/.npm', yarn: '/usr/local/share/.cache/yarn' } as const;
const CLEAN = { npm: 'npm cache clean --force', yarn: 'yarn cache clean' } as const;

/** The tools whose cache the step leaves (npm, yarn), in the order they run; empty when none. */
function toolsLeavingCache(step: Step): ('npm' | 'yarn')[] {
  const cmds = commandsOf(step);
  const tools = new Set<'npm' | 'yarn'>();
  for (const c of cmds) {
    const install = readNodeInstall(c);
    if (install && install.tool !== 'pnpm') tools.add(install.tool);
  }
  if (tools.size === 0 || cmds.some(cleansNpmCache)) return [];
  // a cache mount elsewhere (~/.npm of another user, `npm_config_cache`) is still a mount of the cache
  const mounted = (tool: 'npm' | 'yarn') =>
    mountCovers(step, CACHE_DIRS[tool]) ||
    step.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && /\.npm|yarn/.test(f.value ?? ''));
  return [...tools].filter((t) => !mounted(t));
}

function checkStep(step: Step): RuleFinding | null {
  const tools = toolsLeavingCache(step);
  if (tools.length === 0) return null;
  const left = nodeCacheLeft(step);
  // the estimator sized the install and found nothing kept (yarn berry, whose cache is the install itself)
  if (left && left.bytes === 0) return null;
  const size = left ? `~${(left.bytes / 1e6).toFixed(left.bytes < 1e7 ? 1 : 0)} MB of ` : '';
  const names = tools.map((t) => (t === 'npm' ? "npm's cache (~/.npm)" : "yarn's cache")).join(' and ');
  const clean = tools.map((t) => CLEAN[t]);
  const fixes = (model: DockerfileModel) => {
    const edit = appendToRun(model, step, clean.join(' && '));
    return edit ? [{ title: `Run ${clean.join(' and ')} in this RUN`, preferred: true, edits: [edit] }] : [];
  };
  return {
    line: step.line,
    endLine: step.endLine,
    message:
      `This RUN leaves ${size}${names} in the layer; add \`${clean.join(' && ')}\` to the same RUN, or mount the ` +
      `cache (\`RUN --mount=type=cache,target=${CACHE_DIRS[tools[0]]} ...\`) to keep it between builds outside the image.`,
    fixes,
  };
}

/** A later install that must find its packages in this cache (`npm ci --offline`, `yarn install --offline`). */
const installsOffline = (s: Step): boolean =>
  commandsOf(s).some((c) => {
    const pc = readNodeInstall(c) ? packageCommand(c) : null;
    return pc !== null && pc.options.some((o) => o.name === '--offline' && !/^false$/i.test(o.value ?? ''));
  });

function offlineAfter(model: DockerfileModel, step: Step): Step | undefined {
  for (const s of stepsAfter(model, step)) if (installsOffline(s)) return s;
  return undefined;
}

export const npmCacheLeft: Rule = {
  id: 'npm-cache-left',
  hadolint: 'DL3060',
  severity: 'warning',
  description: "npm or yarn install that leaves the package manager's cache (downloaded tarballs) in the layer.",
  check({ model }) {
    const out: RuleFinding[] = [];
    // most files have no offline install: then no walk after each finding
    const anyOffline = model.steps.some(installsOffline);
    for (const step of stepsInFinalImage(model)) {
      const f = checkStep(step);
      if (!f) continue;
      const offline = anyOffline ? offlineAfter(model, step) : undefined;
      out.push(
        offline
          ? {
              ...f,
              message: `${f.message} No fix offered: the install at line ${offline.line} runs --offline from this cache.`,
              fixes: [],
            }
          : f,
      );
    }
    return out;
  },
};
