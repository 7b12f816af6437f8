// What the JavaScript tools write, for ../runWrites.ts: a lockfile install (npm ci, npm install, yarn, pnpm install,
// pnpm fetch, bun install) writes node_modules from the manifests alone; its lifecycle scripts (and workspaces'
// own node_modules) may write anywhere in the project folder; scripts (`npm run build`) write the project folder;
// `turbo prune --docker` writes the workspace manifests and lockfile apart from the full sources.

import { nodeGlobal, packageCommand, packageOptionValue, type PackageCommand } from '../packageCommands';
import type { ShellCommand } from '../shell';
import { has, operandsOf, valueOf, type CommandReader } from './files';
import { joinRel, type Reader } from './reader';

const NPM_LOCK_INSTALL = new Set(['ci', 'clean-install', 'ic', 'install-clean', 'install', 'i', 'in', 'isntall']);
const NPM_CI = new Set(['ci', 'clean-install', 'ic', 'install-clean']);
const NPM_QUIET = new Set([
  'view',
  'info',
  'show',
  'ls',
  'list',
  'll',
  'la',
  'outdated',
  'help',
  'whoami',
  'ping',
  'doctor',
  'search',
  'explain',
  'why',
  'query',
  'fund',
  'bin',
  'root',
  'prefix',
  'audit',
]);
const NPM_CONFIG = new Set(['config', 'c', 'set', 'get', 'cache', 'login', 'adduser', 'logout', 'token']);

/** A global install: the global node_modules and bin folders, and the caches. */
function globalInstall(r: Reader, by: string): void {
  for (const d of ['/usr/local', '/usr/lib/node_modules', '/usr/bin']) r.addAbs(d, null, by);
  for (const v of ['NPM_CONFIG_PREFIX', 'npm_config_prefix', 'PNPM_HOME', 'BUN_INSTALL']) {
    const d = r.dirVar(v);
    if (d !== null) r.add(d, null, by);
  }
  r.caches(null, by);
}

/**
 * A lockfile install in `dir` ('.' for the working folder): node_modules (emptied first by `npm ci`) and the files
 * beside it from the manifests; its lifecycle scripts may write anywhere in the project.
 */
function lockInstall(r: Reader, by: string, dir: string, modules: string | null, files: string[], ci: boolean): void {
  r.add(modules ?? joinRel(dir, 'node_modules'), 'manifests', by, ci);
  for (const f of files) r.add(joinRel(dir, f), 'manifests', by);
  r.caches('manifests', by);
  r.add(dir, null, by);
}

/** `npx X`, `npm exec X`, `pnpm dlx X`, `yarn dlx X`, `bunx X`: X's own writes (X must be a program we know). */
export function runPackage(r: Reader, words: readonly string[], depth: number): void {
  let i = 0;
  while (i < words.length && words[i].startsWith('-')) {
    if (words[i] === '-c' || words[i] === '--call') {
      r.cannot(words.join(' '));
      return;
    }
    i += words[i] === '-p' || words[i] === '--package' ? 2 : 1;
  }
  if (i >= words.length) return;
  r.readWords(r, words.slice(i), depth + 1);
}

/** The words of an npm, yarn or pnpm command, as ../packageCommands.ts reads them. */
function read(cmd: ShellCommand): PackageCommand {
  return (
    packageCommand(cmd) ?? {
      tool: 'npm',
      command: cmd,
      launcher: null,
      sub: null,
      subAt: -1,
      options: [],
      operands: [],
    }
  );
}

/** The words after the subcommand (`npm exec X`: X and its arguments). */
const afterSub = (pc: PackageCommand) => pc.command.words.slice(pc.subAt + 1);

const npm: CommandReader = (r, cmd, depth) => {
  const pc = read(cmd);
  const sub = pc.sub ?? undefined;
  const dir = packageOptionValue(pc, '--prefix') ?? '.';
  const by = `npm ${sub ?? ''}`.trim();
  if (sub === undefined || NPM_QUIET.has(sub)) return;
  if (sub === 'exec' || sub === 'x') return runPackage(r, afterSub(pc), depth);
  if (nodeGlobal(pc)) return globalInstall(r, by);
  if (NPM_CONFIG.has(sub)) return r.caches(null, by);
  if (NPM_LOCK_INSTALL.has(sub) && pc.operands.length === 0)
    return lockInstall(r, by, dir, null, NPM_CI.has(sub) ? [] : ['package-lock.json'], NPM_CI.has(sub));
  // a script, an install of named packages, a prune: the project folder
  r.project(by);
};

const YARN_QUIET = new Set(['info', 'list', 'why', 'versions', 'licenses', 'outdated', 'audit', 'bin', 'help']);
const YARN_FILES = ['yarn.lock', '.yarn', '.pnp.cjs', '.pnp.loader.mjs', '.pnp.data.json', 'install-state.gz'];

const yarn: CommandReader = (r, cmd, depth) => {
  const pc = read(cmd);
  const sub = pc.sub ?? undefined;
  const dir = packageOptionValue(pc, '--cwd') ?? '.';
  const by = `yarn ${sub ?? 'install'}`;
  if (sub === 'global') return globalInstall(r, by);
  if (sub === undefined || sub === 'install' || (sub === 'workspaces' && pc.operands[0] === 'focus'))
    return lockInstall(r, by, dir, packageOptionValue(pc, '--modules-folder'), YARN_FILES, false);
  if (YARN_QUIET.has(sub)) return;
  if (sub === 'dlx' || sub === 'exec') return runPackage(r, afterSub(pc), depth);
  if (sub === 'config' || sub === 'cache') {
    r.caches(null, by);
    r.add(joinRel(dir, '.yarnrc.yml'), null, by);
    return;
  }
  // `yarn build`, `yarn workspace x run y`, `yarn add x`: the project folder
  r.project(by);
};

const pnpm: CommandReader = (r, cmd, depth) => {
  const pc = read(cmd);
  const sub = pc.sub ?? undefined;
  const dir = packageOptionValue(pc, '--dir') ?? '.';
  const by = `pnpm ${sub ?? ''}`.trim();
  if (sub === undefined || ['list', 'ls', 'why', 'outdated', 'root', 'bin', 'audit', 'help'].includes(sub)) return;
  if (nodeGlobal(pc)) return globalInstall(r, by);
  if (sub === 'dlx' || sub === 'exec') return runPackage(r, afterSub(pc), depth);
  if (((sub === 'install' || sub === 'i') && pc.operands.length === 0) || sub === 'fetch') {
    const store = r.dirVar('PNPM_HOME');
    if (store !== null) r.add(store, 'manifests', by);
    const files = sub === 'fetch' ? [] : ['pnpm-lock.yaml'];
    return lockInstall(r, by, dir, packageOptionValue(pc, '--modules-dir'), files, false);
  }
  if (sub === 'store' || sub === 'config') return r.caches(null, by);
  if (sub === 'deploy' && pc.operands[0] !== undefined) {
    r.add(pc.operands[0], null, by);
    return r.caches(null, by);
  }
  r.project(by);
};

const bun: CommandReader = (r, cmd, depth) => {
  const ops = operandsOf(cmd, new Set(['--cwd', '--backend']));
  const sub = ops[0];
  const dir = valueOf(cmd, '--cwd') ?? '.';
  const by = `bun ${sub ?? ''}`.trim();
  if (sub === 'x') return runPackage(r, cmd.words.slice(cmd.words.indexOf(sub) + 1), depth);
  if (has(cmd, '-g', '--global')) return globalInstall(r, by);
  if ((sub === 'install' || sub === 'i') && ops.length === 1)
    return lockInstall(r, by, dir, null, ['bun.lockb', 'bun.lock'], false);
  r.project(by);
};

const corepack: CommandReader = (r, cmd) => {
  const sub = operandsOf(cmd)[0];
  if (sub === undefined) return;
  for (const d of ['/usr/local', '/usr/bin']) r.addAbs(d, null, 'corepack');
  const home = r.dirVar('COREPACK_HOME');
  if (home !== null) r.add(home, null, 'corepack');
  r.caches(null, 'corepack');
};

/** Lockfiles `turbo prune --docker` writes beside the workspace manifests. */
const TURBO_LOCKS = [
  'yarn.lock',
  'package-lock.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'bun.lock',
  'bun.lockb',
];

/** `turbo prune --docker`: out/json and the lockfile from the manifests, out/full from the sources. */
const turbo: CommandReader = (r, cmd) => {
  const sub = operandsOf(cmd, new Set(['--out-dir', '--scope', '--filter', '-F', '--cwd']))[0];
  if (sub !== 'prune') return r.project(`turbo ${sub ?? 'run'}`);
  const out = valueOf(cmd, '--out-dir') ?? 'out';
  if (!has(cmd, '--docker')) return r.add(out, null, 'turbo prune');
  r.add(joinRel(out, 'json'), 'manifests', 'turbo prune --docker');
  for (const lock of TURBO_LOCKS) r.add(joinRel(out, lock), 'manifests', 'turbo prune --docker');
  r.add(joinRel(out, 'full'), null, 'turbo prune --docker');
};

const npx: CommandReader = (r, cmd, depth) => runPackage(r, cmd.words.slice(1), depth);

export const NODE_READERS = new Map<string, CommandReader>([
  ['npm', npm],
  ['yarn', yarn],
  ['pnpm', pnpm],
  ['bun', bun],
  ['corepack', corepack],
  ['turbo', turbo],
  ['npx', npx],
  ['bunx', npx],
]);
