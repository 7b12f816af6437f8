// What the Python tools write, for ../runWrites.ts: pip (install into the environment, --target, --prefix, --user;
// wheel -w; download -d), venvs, uv, poetry, pipenv, conda. An install, wheel or download from requirement files
// only (no local project) writes from the manifests alone; one of the project itself (`pip install .`, `uv sync`
// without --no-install-project) depends on the sources.

import { dependencyCommand } from '../ecosystems';
import { hasPackageOption, packageCommand, packageOptionValue, type PackageCommand } from '../packageCommands';
import { shellCommand, type ShellCommand } from '../shell';
import { has, operandsOf, valueOf, type CommandReader } from './files';
import type { Reader, WriteBasis } from './reader';

const PIP_QUIET = new Set(['freeze', 'list', 'show', 'check', 'help', 'debug', 'inspect', 'index', 'search', 'hash']);

/** Where a Python environment's packages go: the system prefixes, and the venvs the Dockerfile names. */
export function pythonEnv(r: Reader, basis: WriteBasis, by: string): void {
  for (const d of ['/usr/local', '/usr/lib', '/usr/bin', '/opt']) r.addAbs(d, basis, by);
  for (const v of ['VIRTUAL_ENV', 'CONDA_PREFIX', 'UV_PROJECT_ENVIRONMENT', 'POETRY_VIRTUALENVS_PATH']) {
    const d = r.dirVar(v);
    if (d !== null) r.add(d, basis, by);
  }
  // a venv put first on PATH (`ENV PATH=/opt/venv/bin:$PATH`) is where pip installs
  for (const entry of (r.vars('PATH') ?? '').split(':').slice(0, 32)) {
    if (!entry.startsWith('/') || !entry.endsWith('/bin') || entry.includes('$')) continue;
    const root = entry.slice(0, -'/bin'.length);
    if (root !== '' && root !== '/usr' && root !== '/usr/local') r.add(root, basis, by);
  }
  r.caches(basis, by);
}

/** The requirement files a pip command names (`-r a.txt -c b.txt`), as file names. */
function requirementNames(pc: PackageCommand): string[] {
  const out: string[] = [];
  for (const o of pc.options) {
    if ((o.name === '--requirement' || o.name === '--constraint') && o.value)
      out.push(o.value.slice(o.value.lastIndexOf('/') + 1));
  }
  return out;
}

/** A local project among pip's operands (`.`, `./pkg`, `/src`, a wheel or sdist file) or an editable install. */
function installsLocal(pc: PackageCommand): boolean {
  return (
    hasPackageOption(pc, '--editable') ||
    pc.operands.some((w) => w === '.' || /^(\.\.?\/|\/|\.\[)/.test(w) || /\.(whl|tar\.gz|zip)$/.test(w))
  );
}

/** Whether pip builds a project folder in place (`pip install .`, `-e .`), leaving build/ and *.egg-info there. */
function buildsInPlace(pc: PackageCommand): boolean {
  return (
    hasPackageOption(pc, '--editable') ||
    pc.operands.some((w) => (w === '.' || /^(\.\.?\/|\/|\.\[)/.test(w)) && !/[*?[]|\.(whl|gz|zip)$/.test(w))
  );
}

/** pip, in any spelling (`pip3`, `python -m pip`, `uv pip`), as ../packageCommands.ts reads it. */
export function pip(r: Reader, pc: PackageCommand): void {
  const sub = pc.sub ?? undefined;
  const by = `pip ${sub ?? ''}`.trim();
  const reqs = requirementNames(pc);
  const local = installsLocal(pc);
  if (buildsInPlace(pc)) r.addRel('', null, by);
  if (sub === undefined || PIP_QUIET.has(sub)) return;
  if (sub === 'install' || sub === 'sync') {
    const dep = dependencyCommand(pc.command);
    const basis: WriteBasis = dep && !dep.needsSources && !local ? 'manifests' : null;
    const target = packageOptionValue(pc, '--target', '--prefix', '--root');
    if (target !== null) r.add(target, basis, by, false, reqs);
    else if (hasPackageOption(pc, '--user')) r.add('~/.local', basis, by);
    else pythonEnv(r, basis, by);
    return r.caches(basis, by);
  }
  if (sub === 'wheel' || sub === 'download') {
    const basis: WriteBasis = reqs.length > 0 && !local && pc.operands.length === 0 ? 'manifests' : null;
    const dir = packageOptionValue(pc, sub === 'wheel' ? '--wheel-dir' : '--dest');
    r.add(dir ?? '.', basis, by, false, reqs);
    return r.caches(basis, by);
  }
  if (sub === 'uninstall') return pythonEnv(r, null, by);
  if (sub === 'config' || sub === 'cache') {
    r.addAbs('/etc', null, by);
    return r.caches(null, by);
  }
  r.cannot(pc.command.text);
}

/** python -m venv / compileall / build; `python manage.py ...` is the project's own script. */
const python: CommandReader = (r, cmd) => {
  const w = cmd.words;
  const m = w.indexOf('-m');
  if (m > 0) {
    const mod = w[m + 1];
    const rest = operandsOf(shellCommand(['x', ...w.slice(m + 2)], ''));
    if (mod === 'venv' || mod === 'virtualenv')
      return rest.length ? r.add(rest[rest.length - 1], null, mod) : undefined;
    if (mod === 'compileall') return rest.forEach((p) => r.add(p, null, 'compileall'));
    if (mod === 'build') return r.project('python -m build');
    return r.cannot(cmd.text);
  }
  const ops = operandsOf(cmd);
  if (ops.length === 0 && !w.includes('-c')) return;
  if (ops[0]?.endsWith('manage.py')) return r.project(`python ${ops[0]}`);
  r.cannot(cmd.text);
};

const virtualenv: CommandReader = (r, cmd) => {
  const ops = operandsOf(cmd, new Set(['-p', '--python', '--prompt']));
  r.add(ops[ops.length - 1] ?? '.venv', null, 'virtualenv');
};

const UV_VALUE = new Set([
  '--python',
  '-p',
  '--project',
  '--directory',
  '--index-url',
  '--extra-index-url',
  '--cache-dir',
  '-o',
  '--output-file',
  '--group',
  '--extra',
  '--package',
  '--with',
]);

/** uv sync (the project venv), venv, lock, export, run, tool; `uv pip` is pip. */
const uv: CommandReader = (r, cmd, depth) => {
  const ops = operandsOf(cmd, UV_VALUE);
  const sub = ops[0];
  const by = `uv ${sub ?? ''}`.trim();
  const dir = valueOf(cmd, '--project', '--directory');
  const at = (rel: string) => (dir !== null && !rel.startsWith('/') ? `${dir}/${rel}` : rel);
  if (sub === 'venv') return r.add(at(ops[1] ?? '.venv'), null, by);
  if (sub === 'sync') {
    const project = !has(cmd, '--no-install-project') && !has(cmd, '--no-install-workspace');
    const basis: WriteBasis = project ? null : 'manifests';
    r.add(at(r.dirVar('UV_PROJECT_ENVIRONMENT') ?? '.venv'), basis, by);
    r.add(at('uv.lock'), basis, by);
    return r.caches(basis, by);
  }
  if (sub === 'lock') return r.add(at('uv.lock'), 'manifests', by);
  if (sub === 'export') {
    const out = valueOf(cmd, '-o', '--output-file');
    return out !== null ? r.add(out, 'manifests', by) : undefined;
  }
  if (sub === 'run') return r.readWords(r, cmd.words.slice(cmd.words.indexOf('run') + 1), depth + 1, by);
  if (sub === 'tool' || sub === 'python') {
    r.add('~/.local', null, by);
    const d = r.dirVar('UV_TOOL_DIR');
    if (d !== null) r.add(d, null, by);
    return r.caches(null, by);
  }
  r.project(by);
};

/** poetry install / sync (its venv, or the environment with virtualenvs.create false), lock, export, run. */
const poetry: CommandReader = (r, cmd, depth) => {
  const ops = operandsOf(cmd, new Set(['-o', '--output', '--with', '--without', '--only', '-E', '--extras', '-C']));
  const sub = ops[0];
  const by = `poetry ${sub ?? ''}`.trim();
  if (sub === 'install' || sub === 'sync') {
    const basis: WriteBasis = has(cmd, '--no-root', '--only-root') ? 'manifests' : null;
    r.add('.venv', basis, by);
    return pythonEnv(r, basis, by);
  }
  if (sub === 'lock') return r.add('poetry.lock', 'manifests', by);
  if (sub === 'export') {
    const out = valueOf(cmd, '-o', '--output');
    return out !== null ? r.add(out, 'manifests', by) : undefined;
  }
  if (sub === 'run') return r.readWords(r, cmd.words.slice(cmd.words.indexOf('run') + 1), depth + 1, by);
  if (sub === 'config' || sub === 'self') {
    r.add('poetry.toml', null, by);
    return r.caches(null, by);
  }
  r.project(by);
};

/** pipenv install / sync (the environment, its venv, the lock), run. */
const pipenv: CommandReader = (r, cmd, depth) => {
  const sub = operandsOf(cmd)[0];
  const by = `pipenv ${sub ?? ''}`.trim();
  if (sub === 'install' || sub === 'sync') {
    for (const p of ['.venv', 'Pipfile.lock', '~/.local']) r.add(p, 'manifests', by);
    return pythonEnv(r, 'manifests', by);
  }
  if (sub === 'lock') return r.add('Pipfile.lock', 'manifests', by);
  if (sub === 'run') return r.readWords(r, cmd.words.slice(cmd.words.indexOf('run') + 1), depth + 1, by);
  r.project(by);
};

/** conda / mamba / micromamba: the prefix given, or the usual ones. */
const conda: CommandReader = (r, cmd) => {
  const prefix = valueOf(cmd, '-p', '--prefix');
  if (prefix !== null) r.add(prefix, null, cmd.program);
  for (const v of ['CONDA_PREFIX', 'MAMBA_ROOT_PREFIX', 'CONDA_DIR']) {
    const d = r.dirVar(v);
    if (d !== null) r.add(d, null, cmd.program);
  }
  for (const d of ['/opt', '/usr/local']) r.addAbs(d, null, cmd.program);
  r.caches(null, cmd.program);
};

/** pip in its spellings, read apart from the program table (`python -m pip`, `uv pip`, `pip3.12`). */
export function readPip(r: Reader, cmd: ShellCommand): boolean {
  const pc = packageCommand(cmd);
  if (pc?.tool !== 'pip') return false;
  pip(r, pc);
  return true;
}

export const PYTHON_READERS = new Map<string, CommandReader>([
  ['python', python],
  ['virtualenv', virtualenv],
  ['uv', uv],
  ['poetry', poetry],
  ['pipenv', pipenv],
  ['conda', conda],
  ['mamba', conda],
  ['micromamba', conda],
]);
