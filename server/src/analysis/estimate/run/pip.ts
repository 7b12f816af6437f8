// RUN steps: what Python installs add to a layer.
// - pip install (and `uv pip install|sync`): the requirements files the stage copied in (with their `-r` includes)
//   and the packages named, each with its dependency closure from the table (./pypiTable.ts); `==` pins name the
//   versions. `--index-url .../whl/cpu` takes torch's CPU-only build.
// - uv sync, poetry install, pipenv install|sync: the lockfile the stage copied in or bind-mounted (uv.lock,
//   poetry.lock, Pipfile.lock, read by ./pyLockfiles.ts) is the full set; uv.lock also gives each wheel's size.
// What stays besides site-packages: pip compiles .pyc (uv and poetry do not unless asked); pip's cache
// (~/.cache/pip) and poetry's (~/.cache/pypoetry) keep the downloaded wheels unless --no-cache-dir, PIP_NO_CACHE_DIR
// or a cache mount; uv's cache is hard-linked into the environment (its default on Linux), so it adds next to
// nothing unless UV_LINK_MODE=copy. A distribution the table does not know is left out and named: a lower bound.

import type { DependencyCommand } from '../../ecosystems';
import type { AnalysisFacts, Step } from '../../model';
import { joinDir, normalizeAbs } from '../../paths';
import { mountCovers, mountsOf } from '../../sources';
import type { PipInstall } from '../../packageCommands';
import type { StageState } from '../stage';
import {
  normalizeDist,
  pipfileInstallSet,
  poetryInstallSet,
  readRequirements,
  readUvLock,
  uvInstallSet,
  type PyDist,
} from './pyLockfiles';
import { pyEnvFor, type PyEnv } from './pyMarkers';
import { closure, largestText, mb, PYPI_TABLE_DATE, sizeDists, type PySizes } from './pypiTable';
import type { Estimate, RunCommands } from './read';

/** Requirements files read through `-r` includes, at most. */
const MAX_REQUIREMENT_FILES = 20;

/** One pip install of a RUN (whose environment may set PIP_NO_CACHE_DIR, or mount a cache). */
export function pipEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  install: PipInstall,
  run: RunCommands,
): Estimate {
  const env = envOf(state, run);
  const names: string[] = [];
  const pins = new Map<string, string>();
  const direct: string[] = [];
  const read: string[] = [];
  let cpu = (install.indexUrls ?? []).some(isCpuIndex);
  for (const rf of install.requirementFiles) {
    const file = contextFile(step, state, facts, rf);
    if ('bytes' in file) return file;
    const tree = requirementTree(file.path, file.text, facts, env);
    for (const m of tree.missing) direct.push(`-r ${m} (not read)`);
    for (const r of tree.reqs) {
      if (r.direct) direct.push(r.name);
      else names.push(r.name);
      if (r.version) pins.set(r.name, r.version);
    }
    cpu ||= tree.cpu;
    read.push(...tree.read);
  }
  for (const n of install.named) {
    if (n === '.' || n.startsWith('./') || n.startsWith('/') || n.startsWith('.['))
      return { bytes: null, text: `pip install of the local project ${n}` };
    if (/:\/\/|\.whl$|\.tar\.gz$/.test(n)) direct.push(n);
    else {
      const name = normalizeDist(n.replace(/[=<>!~;@ ][^]*$/, ''));
      names.push(name);
      const pin = /==\s*([^\s;,]+)/.exec(n)?.[1];
      if (pin) pins.set(name, pin);
    }
  }
  if (!names.length && !direct.length) return { bytes: 0, text: 'pip install with nothing to install' };
  for (const v of pins.values()) cpu ||= v.endsWith('+cpu');
  const all = closure([...new Set(names)], cpu);
  const dists = all.names.map((name) => ({ name, version: pins.get(name) ?? null, wheelBytes: null }));
  const tool = install.uv ? 'uv pip' : 'pip';
  const s = sizeDists(dists, { compile: !install.uv, cpu });
  const listed = new Set(names).size;
  let text =
    `${tool}: ${all.names.length} distribution${all.names.length === 1 ? '' : 's'} (${listed} requested` +
    `${read.length ? ` in ${read.join(', ')}` : ''}, ${all.names.length - listed} dependencies)` +
    `${cpu ? ", torch's CPU-only build" : ''}: ${installedText(s, !install.uv)}`;
  let bytes = s.installed;
  if (install.uv) text += "; uv's cache is hard-linked into the environment (adds ~0)";
  else if (!(install.noCacheDir || run.pipNoCache)) {
    bytes += s.wheels;
    text += ` + ${mb(s.wheels)} of downloaded wheels kept in ~/.cache/pip (no --no-cache-dir)`;
  }
  const open = [...s.unknown, ...direct];
  text += unknownText(open, all.openEnded);
  return { bytes, text, lowerBound: open.length > 0 || all.openEnded.length > 0 || undefined };
}

/** uv sync, poetry install|sync, pipenv install|sync: the lockfile's set. */
export function pyLockEstimate(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  cmd: DependencyCommand,
  run: RunCommands,
): Estimate {
  const w = cmd.command.words;
  const has = (...flags: string[]) => w.some((x) => flags.includes(x) || flags.some((f) => x.startsWith(f + '=')));
  const values = (flag: string) =>
    w.flatMap((x, i) => (x === flag ? [w[i + 1] ?? ''] : x.startsWith(flag + '=') ? [x.slice(flag.length + 1)] : []));
  const lockName = cmd.ecosystem === 'uv' ? 'uv.lock' : cmd.ecosystem === 'poetry' ? 'poetry.lock' : 'Pipfile.lock';
  const file = contextFile(step, state, facts, lockName);
  if ('bytes' in file) return file;
  const extras = [...values('--extra'), ...values('-E'), ...values('--extras')].flatMap((e) => e.split(/[ ,]+/));
  const env = envOf(state, run, extras.map(normalizeDist));
  let dists: PyDist[] | null;
  let compile: boolean;
  let cache: 'wheels' | 'none' | 'copy';
  if (cmd.ecosystem === 'uv') {
    const pkgs = readUvLock(file.text);
    dists = pkgs
      ? uvInstallSet(
          pkgs,
          env,
          {
            dev: !has('--no-dev', '--only-group', '--no-default-groups') && !/UV_NO_DEV=(1|true)/.test(step.command),
            groups: [...values('--group'), ...values('--only-group')],
            extras: [...(env.extras ?? [])],
            allExtras: has('--all-extras'),
          },
          env.python,
        )
      : null;
    compile = has('--compile-bytecode') || /UV_COMPILE_BYTECODE=(1|true)/.test(step.command);
    cache =
      has('--no-cache') || mountCovers(step, '/root/.cache/uv')
        ? 'none'
        : /UV_LINK_MODE=copy/.test(step.command)
          ? 'copy'
          : 'none';
  } else if (cmd.ecosystem === 'poetry') {
    const only = values('--only');
    dists = poetryInstallSet(file.text, env, {
      only: only.length ? only.flatMap((g) => g.split(',')) : null,
      without: [...values('--without').flatMap((g) => g.split(',')), ...(has('--no-dev') ? ['dev'] : [])],
      extras: [...(env.extras ?? [])],
      allExtras: has('--all-extras'),
      onlyRoot: has('--only-root'),
    });
    compile = has('--compile');
    cache =
      mountCovers(step, '/root/.cache/pypoetry') || /rm\s+-\S*\s+\S*pypoetry/.test(step.command) ? 'none' : 'wheels';
  } else {
    dists = pipfileInstallSet(file.text, env, has('--dev', '-d'));
    compile = true;
    cache = run.pipNoCache || mountCovers(step, '/root/.cache/pip') ? 'none' : 'wheels';
  }
  if (!dists) return { bytes: null, text: `${file.path} is not a ${lockName} this estimate can read` };
  const s = sizeDists(dists, { compile, cpu: false });
  let bytes = s.installed;
  let text = `${cmd.ecosystem}: ${dists.length} distributions locked in ${file.path}: ${installedText(s, compile)}`;
  if (cache === 'wheels') {
    bytes += s.wheels;
    const where = cmd.ecosystem === 'poetry' ? '~/.cache/pypoetry' : '~/.cache/pip';
    text += ` + ${mb(s.wheels)} of downloaded wheels kept in ${where}`;
  } else if (cache === 'copy') {
    bytes += s.installed;
    text += ` + ${mb(s.installed)} in uv's cache (UV_LINK_MODE=copy)`;
  }
  if (dists && 'groupsUnknown' in dists && dists.groupsUnknown)
    text += '; this poetry.lock (poetry < 2) does not record groups: dev packages are counted too';
  text += unknownText(s.unknown, []);
  return { bytes, text, lowerBound: s.unknown.length > 0 || undefined };
}

function installedText(s: PySizes, compile: boolean): string {
  return (
    `≈${mb(s.installed)} installed${compile ? ' with .pyc' : ''} (${s.known} sized from the PyPI table of ` +
    `${PYPI_TABLE_DATE}${s.largest.length ? `; largest ${largestText(s)}` : ''})`
  );
}

function unknownText(unknown: readonly string[], openEnded: readonly string[]): string {
  let t = '';
  if (unknown.length)
    t += `; not counted (size not known, so this is a lower bound): ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ` and ${unknown.length - 8} more` : ''}`;
  if (openEnded.length) t += `; dependencies of ${openEnded.slice(0, 4).join(', ')} not known`;
  return t;
}

/** The marker environment of the stage: its platform, the CPython of a `python:3.X` base (else 3.12). */
function envOf(state: StageState, run: RunCommands, extras: string[] = []): PyEnv {
  const m = /(?:^|\/)python:(\d)\.(\d+)/.exec(state.baseRef ?? '');
  return pyEnvFor(run.platform, m ? `${m[1]}.${m[2]}` : '3.12', extras);
}

function isCpuIndex(url: string): boolean {
  return /\/whl\/cpu\/?$/.test(url);
}

/**
 * The text of a file the step reads at `rel` (relative to its WORKDIR): one a COPY put there from the build context,
 * or a bind mount of the context; or why it cannot be read.
 */
function contextFile(
  step: Step,
  state: StageState,
  facts: AnalysisFacts,
  rel: string,
): { path: string; text: string } | { bytes: null; text: string } {
  const imagePath = joinDir(step.workdir, rel);
  let contextPath = state.files.get(imagePath)?.contextPath;
  for (const m of mountsOf(step)) {
    if (m.type !== 'bind' || m.from || !m.target || !m.source) continue;
    const target = joinDir(step.workdir, m.target);
    if (target === imagePath) contextPath = normalizeAbs('/' + m.source).slice(1);
  }
  if (!contextPath) return { bytes: null, text: `${rel} was not copied from the build context before this step` };
  const text = facts.context?.contents?.[contextPath] ?? null;
  if (text === null) return { bytes: null, text: `${contextPath} was not read` };
  return { path: contextPath, text };
}

/** A requirements file and the files it includes with `-r` (relative to it, in the context), breadth first. */
function requirementTree(path: string, text: string, facts: AnalysisFacts, env: PyEnv) {
  const reqs: ReturnType<typeof readRequirements>['reqs'] = [];
  const read: string[] = [];
  const queue: { path: string; text: string }[] = [{ path, text }];
  const seen = new Set([path]);
  const missing: string[] = [];
  let cpu = false;
  for (let q = 0; q < queue.length && q < MAX_REQUIREMENT_FILES; q++) {
    const f = queue[q];
    read.push(f.path);
    cpu ||= /\/whl\/cpu\b/.test(f.text);
    const r = readRequirements(f.text, env);
    reqs.push(...r.reqs);
    for (const inc of r.includes) {
      const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '';
      const p = normalizeAbs('/' + dir + inc).slice(1);
      if (seen.has(p)) continue;
      seen.add(p);
      const t = facts.context?.contents?.[p];
      if (t === undefined) missing.push(p);
      else queue.push({ path: p, text: t });
    }
  }
  return { reqs, read, cpu, missing };
}
