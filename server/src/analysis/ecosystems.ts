// The package ecosystems a Dockerfile installs dependencies for: which files are their manifests, which shell
// commands resolve dependencies from those manifests alone, and which build commands resolve them implicitly.
// Shared by the cache model (a COPY of manifests only is a medium risk, not a high one) and the rules.

import { nodeGlobal, packageCommand, readNodeInstall, type PackageCommand } from './packageCommands';
import { hasOption, programOf, type ShellCommand } from './shell';

export type EcosystemId =
  | 'npm'
  | 'yarn'
  | 'pnpm'
  | 'pip'
  | 'poetry'
  | 'pipenv'
  | 'uv'
  | 'bundler'
  | 'composer'
  | 'go'
  | 'cargo'
  | 'maven'
  | 'gradle'
  | 'dotnet';

/** File names (basename) that are dependency manifests or lockfiles, or project descriptors beside them. */
const MANIFEST_NAMES = new Set([
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pnpmfile.cjs',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'pipfile',
  'pipfile.lock',
  'setup.py',
  'setup.cfg',
  'poetry.toml',
  'gemfile',
  'gemfile.lock',
  'composer.json',
  'composer.lock',
  'go.mod',
  'go.sum',
  'go.work',
  'go.work.sum',
  'cargo.toml',
  'cargo.lock',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'settings.gradle',
  'settings.gradle.kts',
  'gradle.properties',
  'nuget.config',
  'directory.build.props',
  'directory.packages.props',
  'global.json',
  'packages.config',
]);

export function isManifestName(basename: string): boolean {
  const b = basename.toLowerCase();
  return (
    MANIFEST_NAMES.has(b) || /^requirements.*\.(txt|in)$/.test(b) || /\.(csproj|fsproj|vbproj|sln|gemspec)$/.test(b)
  );
}

/** Example manifest names, to tell whether a glob such as `package*.json` selects manifests. */
export const MANIFEST_EXAMPLES = [
  'package.json',
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'requirements.txt',
  'requirements-dev.txt',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'Pipfile',
  'Pipfile.lock',
  'Gemfile',
  'Gemfile.lock',
  'composer.json',
  'composer.lock',
  'go.mod',
  'go.sum',
  'Cargo.toml',
  'Cargo.lock',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'settings.gradle',
  'app.csproj',
  'app.sln',
];

const CODE_EXTENSIONS = new Set([
  'py',
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'go',
  'rs',
  'java',
  'kt',
  'kts',
  'scala',
  'groovy',
  'rb',
  'php',
  'c',
  'cc',
  'cpp',
  'cxx',
  'h',
  'hpp',
  'cs',
  'fs',
  'vb',
  'swift',
  'ex',
  'exs',
  'erl',
  'hs',
  'clj',
  'lua',
  'pl',
  'r',
  'dart',
  'vue',
  'svelte',
  'html',
  'htm',
  'css',
  'scss',
  'sass',
  'less',
  'erb',
  'jsp',
  'razor',
  'cshtml',
]);

/** A file of program source (edited all the time), judged by its extension. */
export function isCodeName(basename: string): boolean {
  const dot = basename.lastIndexOf('.');
  return dot > 0 && CODE_EXTENSIONS.has(basename.slice(dot + 1).toLowerCase());
}

/** Extensionless names that are files, not folders. */
const PLAIN_FILE_NAMES = new Set([
  'gemfile',
  'pipfile',
  'makefile',
  'dockerfile',
  'license',
  'readme',
  'procfile',
  'rakefile',
  'jenkinsfile',
  'caddyfile',
  'mvnw',
  'gradlew',
  'notice',
  'version',
  'changelog',
  'brewfile',
  'vagrantfile',
  'justfile',
]);

export function looksLikeFileName(basename: string): boolean {
  return basename.includes('.') || PLAIN_FILE_NAMES.has(basename.toLowerCase());
}

/** What one shell command does for an ecosystem's dependencies. */
export interface DependencyCommand {
  ecosystem: EcosystemId;
  /** 'install': resolves from the manifests alone. 'build': a build that resolves them implicitly. */
  kind: 'install' | 'build';
  command: ShellCommand;
  /** The install also needs the project's sources (poetry install without --no-root, ...). */
  needsSources: boolean;
  /** Manifest paths the command names itself (pip install -r FILE), as written. */
  namedManifests: string[];
}

function sub(cmd: ShellCommand, from = 1): string | undefined {
  return cmd.words.slice(from).find((w) => !w.startsWith('-'));
}

/** The dependency install or build a command runs, if any: once per command (commands are shared by RUN text). */
export function dependencyCommand(cmd: ShellCommand): DependencyCommand | null {
  let hit = dependencyMemo.get(cmd);
  if (hit === undefined) dependencyMemo.set(cmd, (hit = readDependencyCommand(cmd)));
  return hit;
}

const dependencyMemo = new WeakMap<ShellCommand, DependencyCommand | null>();

/** Reads one shell command; null when it installs or resolves nothing we know. */
function readDependencyCommand(cmd: ShellCommand): DependencyCommand | null {
  const pc = packageCommand(cmd);
  if (pc?.tool === 'pip') return readPip(pc);
  if (pc?.tool === 'npm' || pc?.tool === 'yarn' || pc?.tool === 'pnpm') return readNode(pc);
  const read = READERS.get(programOf(cmd));
  return read ? read(cmd, sub(cmd)) : null;
}

/** One ecosystem's reader of a command run by one of its programs; `s`: the first word that is not an option. */
type Reader = (cmd: ShellCommand, s: string | undefined) => DependencyCommand | null;

function found(
  cmd: ShellCommand,
  ecosystem: EcosystemId,
  kind: 'install' | 'build',
  needsSources = false,
  namedManifests: string[] = [],
): DependencyCommand {
  return { ecosystem, kind, command: cmd, needsSources, namedManifests };
}

/** `pip install -r requirements.txt` (and -c constraints, `uv pip sync FILE`); a named package needs no manifest. */
function readPip(pc: PackageCommand): DependencyCommand | null {
  const sync = pc.sub === 'sync';
  if (pc.sub !== 'install' && !sync) return null;
  const reqs: string[] = [];
  let local = false;
  for (const o of pc.options) {
    if ((o.name === '--requirement' || o.name === '--constraint') && o.value) reqs.push(o.value);
    else if (o.name === '--editable') local = true;
  }
  for (const w of pc.operands) {
    if (sync) reqs.push(w);
    // a named package (`pip install flask`) needs no manifest
    else if (w === '.' || w.startsWith('./') || w.startsWith('/') || w.startsWith('.[') || /\.(whl|tar\.gz)$/.test(w))
      local = true;
  }
  if (reqs.length === 0) return null; // `pip install flask` needs no manifest; `pip install .` needs the sources
  return found(pc.command, 'pip', 'install', local, reqs);
}

/** npm ci / npm install and pnpm install without package names, not global; `yarn` alone or `yarn install`. */
function readNode(pc: PackageCommand): DependencyCommand | null {
  if (pc.tool === 'pnpm' && pc.sub === 'fetch') return found(pc.command, 'pnpm', 'install');
  const install = readNodeInstall(pc.command);
  if (!install || install.named.length > 0 || nodeGlobal(pc) || pc.sub === 'add') return null;
  return found(pc.command, install.tool, 'install');
}

/** poetry install / sync: also needs the sources unless --no-root or --only-root. */
const readPoetry: Reader = (cmd, s) =>
  s === 'install' || s === 'sync'
    ? found(cmd, 'poetry', 'install', !hasOption(cmd, '--no-root') && !hasOption(cmd, '--only-root') ? true : false)
    : null;

const readPipenv: Reader = (cmd, s) => (s === 'install' || s === 'sync' ? found(cmd, 'pipenv', 'install') : null);

/** uv sync: also needs the sources unless --no-install-project / --no-install-workspace (`uv pip`: readPip). */
const readUv: Reader = (cmd, s) =>
  s === 'sync'
    ? found(cmd, 'uv', 'install', !hasOption(cmd, '--no-install-project') && !hasOption(cmd, '--no-install-workspace'))
    : null;

const readBundler: Reader = (cmd, s) => (s === undefined || s === 'install' ? found(cmd, 'bundler', 'install') : null);

const readComposer: Reader = (cmd, s) => (s === 'install' ? found(cmd, 'composer', 'install') : null);

/** go mod download; go build / test / vet / install (not `go install tool@version`) resolve implicitly. */
const readGo: Reader = (cmd, s) => {
  if (s === 'mod' && cmd.words.slice(2).find((w) => !w.startsWith('-')) === 'download')
    return found(cmd, 'go', 'install');
  if (s === 'build' || s === 'test' || s === 'vet') return found(cmd, 'go', 'build');
  if (s === 'install') {
    // `go install tool@version` fetches that tool, not this module's dependencies
    if (cmd.words.slice(2).some((w) => w.includes('@'))) return null;
    return found(cmd, 'go', 'build');
  }
  return null;
};

/** cargo fetch; cargo build / test / install of this project (not `cargo install some-crate`). */
const readCargo: Reader = (cmd, s) => {
  if (s === 'fetch') return found(cmd, 'cargo', 'install');
  if (s === 'build' || s === 'install' || s === 'test') {
    if (s === 'install' && cmd.words.slice(2).some((w) => !w.startsWith('-') && w !== '.')) return null;
    return found(cmd, 'cargo', 'build');
  }
  return null;
};

/** mvn dependency:*; the lifecycle phases and spring-boot:* goals that build. */
const readMaven: Reader = (cmd) => {
  const goals = cmd.words.slice(1).filter((w) => !w.startsWith('-'));
  if (goals.some((g) => g.startsWith('dependency:'))) return found(cmd, 'maven', 'install');
  if (
    goals.some(
      (g) => ['package', 'install', 'verify', 'compile', 'test', 'deploy'].includes(g) || g.startsWith('spring-boot:'),
    )
  )
    return found(cmd, 'maven', 'build');
  return null;
};

/** gradle dependencies / downloadDependencies; the tasks that build. */
const readGradle: Reader = (cmd) => {
  const tasks = cmd.words.slice(1).filter((w) => !w.startsWith('-'));
  if (tasks.includes('dependencies') || tasks.includes('downloadDependencies')) return found(cmd, 'gradle', 'install');
  if (
    tasks.some((t) => ['build', 'assemble', 'bootJar', 'jar', 'installDist', 'shadowJar', 'bootWar', 'war'].includes(t))
  )
    return found(cmd, 'gradle', 'build');
  return null;
};

/** dotnet restore; build / publish / test / pack restore implicitly unless --no-restore. */
const readDotnet: Reader = (cmd, s) => {
  if (s === 'restore') return found(cmd, 'dotnet', 'install');
  if (s === 'build' || s === 'publish' || s === 'test' || s === 'pack')
    return hasOption(cmd, '--no-restore') ? null : found(cmd, 'dotnet', 'build');
  return null;
};

/** The reader of each program (pip, npm, yarn and pnpm are read by ./packageCommands.ts). */
const READERS = new Map<string, Reader>([
  ['poetry', readPoetry],
  ['pipenv', readPipenv],
  ['uv', readUv],
  ['bundle', readBundler],
  ['bundler', readBundler],
  ['composer', readComposer],
  ['composer.phar', readComposer],
  ['go', readGo],
  ['cargo', readCargo],
  ['mvn', readMaven],
  ['mvnw', readMaven],
  ['gradle', readGradle],
  ['gradlew', readGradle],
  ['dotnet', readDotnet],
]);

/**
 * The manifests to copy before the install, as names relative to the install folder. When the files the
 * context holds in that folder are known (`present`), only those that exist; null when the ecosystem's core
 * manifest is absent (then no rewrite is offered). Unknown: the conventional names, the optional ones (lockfiles
 * the install works without) as `name*` globs, which a COPY accepts when they match nothing.
 */
export function manifestsFor(eco: EcosystemId, named: string[], present: string[] | null): string[] | null {
  const has = (n: string) => present === null || present.some((p) => p.toLowerCase() === n.toLowerCase());
  const pick = (core: string[], optional: string[], fallback: string[]): string[] | null => {
    if (present === null) return fallback;
    if (!core.every(has)) return null;
    return [...core, ...optional.filter((o) => present.some((p) => p === o))];
  };
  switch (eco) {
    case 'npm':
      return pick(['package.json'], ['package-lock.json', 'npm-shrinkwrap.json', '.npmrc'], ['package*.json']);
    case 'yarn':
      return pick(['package.json'], ['yarn.lock', '.yarnrc', '.yarnrc.yml', '.npmrc'], ['package.json', 'yarn.lock*']);
    case 'pnpm':
      return pick(
        ['package.json'],
        ['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc'],
        ['package.json', 'pnpm-lock.yaml*'],
      );
    case 'pip':
      if (named.length === 0 || named.some((n) => n.includes('$'))) return null;
      return present === null || named.every(has) ? named : null;
    case 'poetry':
      return pick(['pyproject.toml'], ['poetry.lock', 'poetry.toml'], ['pyproject.toml', 'poetry.lock*']);
    case 'uv':
      return pick(['pyproject.toml'], ['uv.lock', '.python-version'], ['pyproject.toml', 'uv.lock*']);
    case 'pipenv':
      return pick(['Pipfile'], ['Pipfile.lock'], ['Pipfile', 'Pipfile.lock*']);
    case 'bundler':
      return pick(['Gemfile'], ['Gemfile.lock'], ['Gemfile', 'Gemfile.lock*']);
    case 'composer':
      return pick(['composer.json'], ['composer.lock', 'auth.json'], ['composer.json', 'composer.lock*']);
    case 'go':
      return pick(['go.mod'], ['go.sum'], ['go.mod', 'go.sum*']);
    case 'cargo':
      return pick(['Cargo.toml'], ['Cargo.lock'], ['Cargo.toml', 'Cargo.lock*']);
    case 'maven':
      return pick(['pom.xml'], [], ['pom.xml']);
    case 'gradle': {
      if (present === null) return ['build.gradle*', 'settings.gradle*'];
      const found = present.filter((p) => /^(build|settings)\.gradle(\.kts)?$/.test(p) || p === 'gradle.properties');
      return found.some((f) => f.startsWith('build.')) ? found : null;
    }
    case 'dotnet': {
      if (present === null) return ['*.csproj'];
      const found = present.filter(
        (p) =>
          /\.(csproj|fsproj|vbproj|sln)$/i.test(p) ||
          /^(nuget\.config|directory\.build\.props|directory\.packages\.props|global\.json)$/i.test(p),
      );
      return found.some((f) => /proj$/i.test(f)) ? found : null;
    }
    default:
      return null;
  }
}

/** The explicit resolve command that may precede a build which resolves dependencies implicitly; null when
 * there is none that works from the manifests alone (cargo fetch needs a target source file). */
export function resolveCommandFor(eco: EcosystemId, program: string): string | null {
  switch (eco) {
    case 'go':
      return 'go mod download';
    case 'maven':
      return program === 'mvn' ? 'mvn -B dependency:go-offline' : null;
    case 'gradle':
      return program === 'gradle' ? 'gradle dependencies --no-daemon' : null;
    case 'dotnet':
      return 'dotnet restore';
    default:
      return null;
  }
}
