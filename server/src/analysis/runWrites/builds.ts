// What the Ruby, PHP, Go, Rust, Java and .NET tools write, for ../runWrites.ts. From the manifests alone: bundle
// install (BUNDLE_PATH, vendor/bundle, the gem home), composer install --no-autoloader, go mod download,
// cargo chef prepare (the recipe) and cook, cargo fetch, mvn dependency:*, gradle dependencies, dotnet restore.
// Builds write their output (`-o`, target/, build/, bin/ and obj/) and caches, from everything the step sees.

import { has, operandsOf, valueOf, type CommandReader } from './files';
import { dirOf, joinRel, type Reader, type WriteBasis } from './reader';

/** Where gems go: BUNDLE_PATH (relative to the Gemfile's folder), vendor/bundle, the gem homes, bundler's config. */
function gemPaths(r: Reader, basis: WriteBasis, by: string, dir: string): void {
  for (const v of ['BUNDLE_PATH', 'GEM_HOME', 'BUNDLE_APP_CONFIG', 'BUNDLE_BIN']) {
    const d = r.dirVar(v);
    if (d !== null) r.add(d.startsWith('/') ? d : joinRel(dir, d), basis, by);
  }
  for (const d of ['/usr/local/bundle', '/usr/local/lib/ruby', '/usr/lib/ruby', '/var/lib/gems'])
    r.addAbs(d, basis, by);
  for (const f of ['vendor/bundle', '.bundle', 'Gemfile.lock']) r.add(joinRel(dir, f), basis, by);
  r.caches(basis, by);
}

const BUNDLE_VALUE = new Set(['--path', '--gemfile', '--without', '--with', '--jobs', '-j', '--retry', '--binstubs']);
const BUNDLE_QUIET = new Set(['check', 'list', 'info', 'show', 'outdated', 'version', 'platform', 'doctor', 'help']);

const bundle: CommandReader = (r, cmd, depth) => {
  const ops = operandsOf(cmd, BUNDLE_VALUE);
  const sub = ops[0] ?? 'install';
  const gemfile = valueOf(cmd, '--gemfile');
  const dir = gemfile !== null ? dirOf(gemfile) : '.';
  const by = `bundle ${sub}`;
  if (sub === 'install') {
    const path = valueOf(cmd, '--path');
    if (path !== null) r.add(joinRel(dir, path), 'manifests', by);
    return gemPaths(r, 'manifests', by, dir);
  }
  if (sub === 'exec') return r.readWords(r, cmd.words.slice(cmd.words.indexOf('exec') + 1), depth + 1, by);
  if (BUNDLE_QUIET.has(sub)) return;
  if (sub === 'lock') return r.add(joinRel(dir, 'Gemfile.lock'), 'manifests', by);
  if (sub === 'config') return gemPaths(r, null, by, dir);
  gemPaths(r, null, by, dir);
  r.project(by);
};

const gem: CommandReader = (r, cmd) => {
  const sub = operandsOf(cmd)[0];
  if (
    sub === undefined ||
    ['list', 'env', 'environment', 'query', 'search', 'spec', 'which', 'contents', 'info', 'help'].includes(sub)
  )
    return;
  gemPaths(r, null, `gem ${sub}`, '.');
  r.addAbs('/usr/local/bin', null, `gem ${sub}`);
};

const composer: CommandReader = (r, cmd) => {
  const sub = operandsOf(cmd, new Set(['-d', '--working-dir']))[0];
  const dir = valueOf(cmd, '-d', '--working-dir') ?? '.';
  const by = `composer ${sub ?? ''}`.trim();
  if (sub === undefined || ['show', 'diagnose', 'validate', 'licenses', 'outdated', 'why', 'depends'].includes(sub))
    return;
  const home = r.dirVar('COMPOSER_HOME');
  if (home !== null) r.add(home, null, by);
  if (sub === 'install') {
    // without --no-autoloader, the autoloader it writes and the scripts it runs read the sources
    const basis: WriteBasis = has(cmd, '--no-autoloader') ? 'manifests' : null;
    r.add(joinRel(dir, r.dirVar('COMPOSER_VENDOR_DIR') ?? 'vendor'), basis, by);
    r.caches(basis, by);
    if (basis === null) r.add(dir, null, by);
    return;
  }
  if (sub === 'self-update') r.addAbs('/usr/local/bin', null, by);
  r.project(by);
};

const GO_VALUE = new Set([
  '-o',
  '-C',
  '-p',
  '-tags',
  '-ldflags',
  '-gcflags',
  '-asmflags',
  '-mod',
  '-modfile',
  '-pkgdir',
  '-run',
  '-bench',
  '-count',
  '-timeout',
  '-coverprofile',
  '-exec',
  '-overlay',
  '-buildmode',
  '-compiler',
  '-installsuffix',
  '-toolexec',
]);

/**
 * The module cache (GOMODCACHE, GOPATH/pkg/mod: /go in the official images, ~/go otherwise) and the build cache. The
 * modules a build downloads are the versions go.mod and go.sum pin: the module cache is keyed by the manifests
 * whoever fills it; the build cache (under the home caches) holds compiled sources.
 */
function goCaches(r: Reader, basis: WriteBasis, by: string): void {
  const gopath = r.dirVar('GOPATH');
  const modcache = r.dirVar('GOMODCACHE');
  for (const d of [modcache, gopath === null ? null : joinRel(gopath, 'pkg/mod'), '/go/pkg/mod', '~/go/pkg/mod'])
    if (d !== null) r.add(d, 'manifests', by);
  r.caches(basis, by);
}

const go: CommandReader = (r, cmd) => {
  const ops = operandsOf(cmd, GO_VALUE);
  const sub = ops[0];
  const dir = valueOf(cmd, '-C') ?? '.';
  const by = `go ${sub ?? ''}`.trim();
  if (sub === undefined || ['version', 'list', 'doc', 'help'].includes(sub)) return;
  if (sub === 'env') return has(cmd, '-w', '-u') ? r.caches(null, by) : undefined;
  if (sub === 'mod') {
    const what = ops[1];
    if (what === 'download') return goCaches(r, 'manifests', 'go mod download');
    if (what === 'verify' || what === 'graph' || what === 'why') return;
    r.add(dir, null, `go mod ${what ?? ''}`.trim());
    return goCaches(r, null, by);
  }
  if (sub === 'run') return r.cannot(cmd.text);
  if (sub === 'build' || sub === 'install') {
    const out = valueOf(cmd, '-o');
    const gobin = r.dirVar('GOBIN');
    if (out !== null) r.add(out.startsWith('/') ? out : joinRel(dir, out), null, by);
    else if (sub === 'install') r.add(gobin ?? joinRel(r.dirVar('GOPATH') ?? '/go', 'bin'), null, by);
    // without -o, `go build` of a main package writes the binary into the working folder
    else r.add(dir, null, by);
    if (sub === 'install') r.add('~/go/bin', null, by);
    return goCaches(r, null, by);
  }
  r.add(dir, null, by);
  goCaches(r, null, by);
};

const CARGO_VALUE = new Set([
  '--target-dir',
  '--manifest-path',
  '--features',
  '-F',
  '--profile',
  '--target',
  '-p',
  '--package',
  '-j',
  '--jobs',
  '--bin',
  '--example',
  '--test',
  '--bench',
  '--root',
  '--path',
  '--recipe-path',
  '--color',
  '--config',
  '-Z',
  '--message-format',
  '--exclude',
  '--git',
  '--branch',
  '--tag',
  '--rev',
  '--index',
  '--registry',
  '--version',
  '--vers',
]);
const CARGO_QUIET = new Set([
  'metadata',
  'tree',
  'version',
  'search',
  'locate-project',
  'pkgid',
  'verify-project',
  'help',
]);
const CARGO_BUILD = new Set([
  'build',
  'b',
  'check',
  'c',
  'test',
  't',
  'bench',
  'doc',
  'd',
  'clippy',
  'rustc',
  'rustdoc',
]);

/**
 * CARGO_HOME (the registry and git checkouts: the official images' /usr/local/cargo, or ~/.cargo): what a build
 * downloads there is what Cargo.lock pins, keyed by the manifests whoever fills it; its bin/ is what `cargo install`
 * writes (see there).
 */
function cargoHome(r: Reader, by: string): void {
  const home = r.dirVar('CARGO_HOME');
  if (home !== null) r.add(home, 'manifests', by);
  r.addAbs('/usr/local/cargo', 'manifests', by);
  r.add('~/.cargo', 'manifests', by);
}

/** cargo (and xx-cargo): chef prepare / cook, fetch, vendor, builds into the target folder, install. */
const cargo: CommandReader = (r, cmd) => {
  const ops = operandsOf(cmd, CARGO_VALUE);
  const sub = ops[0];
  const manifest = valueOf(cmd, '--manifest-path');
  const dir = manifest !== null ? dirOf(manifest) : '.';
  const target = valueOf(cmd, '--target-dir') ?? r.dirVar('CARGO_TARGET_DIR') ?? joinRel(dir, 'target');
  const by = `cargo ${sub ?? ''}`.trim();
  if (sub === undefined || CARGO_QUIET.has(sub)) return;
  if (sub === 'chef') {
    if (ops[1] === 'prepare')
      return r.add(valueOf(cmd, '--recipe-path') ?? 'recipe.json', 'manifests', 'cargo chef prepare', true);
    if (ops[1] !== 'cook') return r.cannot(cmd.text);
    // cook lays out a skeleton of the project from the recipe, then builds its dependencies
    r.add(dir, 'manifests', 'cargo chef cook');
    r.add(target, 'manifests', 'cargo chef cook');
    cargoHome(r, 'cargo chef cook');
    return r.caches('manifests', 'cargo chef cook');
  }
  if (sub === 'fetch' || sub === 'vendor') {
    r.add(joinRel(dir, 'Cargo.lock'), 'manifests', by);
    if (sub === 'vendor') r.add(ops[1] ?? 'vendor', 'manifests', by);
    cargoHome(r, by);
    return r.caches('manifests', by);
  }
  if (sub === 'run') return r.cannot(cmd.text);
  if (CARGO_BUILD.has(sub)) {
    r.add(target, null, by);
    r.add(joinRel(dir, 'Cargo.lock'), null, by);
    if (has(cmd, '--fix')) r.add(dir, null, by);
    cargoHome(r, by);
    return r.caches(null, by);
  }
  if (sub === 'install') {
    // the binaries and the install records go to the install root: CARGO_HOME unless told otherwise
    const root = valueOf(cmd, '--root') ?? r.dirVar('CARGO_INSTALL_ROOT');
    for (const d of root !== null ? [root] : [r.dirVar('CARGO_HOME'), '/usr/local/cargo', '~/.cargo'])
      if (d !== null) r.add(d, null, by);
    if (has(cmd, '--path')) r.add(target, null, by);
    cargoHome(r, by);
    return r.caches(null, by);
  }
  if (sub === 'new' || sub === 'init') {
    r.add(ops[1] ?? '.', null, by);
    cargoHome(r, by);
    return r.caches(null, by);
  }
  // other subcommands and plugins (`cargo sqlx prepare`): the project folder, its target folder, the caches
  r.add(dir, null, by);
  r.add(target, null, by);
  cargoHome(r, by);
  r.caches(null, by);
};

const rustup: CommandReader = (r, cmd) => {
  const sub = operandsOf(cmd)[0];
  if (sub === undefined || sub === 'show' || sub === 'which') return;
  if (sub === 'run') return r.cannot(cmd.text);
  for (const v of ['RUSTUP_HOME', 'CARGO_HOME']) {
    const d = r.dirVar(v);
    if (d !== null) r.add(d, null, 'rustup');
  }
  for (const d of ['/usr/local/rustup', '/usr/local/cargo']) r.addAbs(d, null, 'rustup');
  r.caches(null, 'rustup');
};

const MVN_VALUE = new Set([
  '-f',
  '--file',
  '-s',
  '--settings',
  '-gs',
  '-pl',
  '--projects',
  '-P',
  '-T',
  '-rf',
  '-l',
  '-t',
  '-b',
]);

/** mvn: dependency:* goals fill the local repository only; other goals build into the project's target folders. */
const mvn: CommandReader = (r, cmd) => {
  const goals = operandsOf(cmd, MVN_VALUE);
  if (goals.length === 0) return;
  const file = valueOf(cmd, '-f', '--file');
  const dir = file === null ? '.' : file.endsWith('.xml') ? dirOf(file) : file;
  const repo = cmd.words.find((w) => w.startsWith('-Dmaven.repo.local='));
  const basis: WriteBasis = goals.every((g) => g.startsWith('dependency:')) ? 'manifests' : null;
  const by = `mvn ${goals[0]}`;
  if (repo) r.add(repo.slice(repo.indexOf('=') + 1), basis, by);
  r.caches(basis, by);
  if (basis === null) r.add(dir, null, by);
};

const GRADLE_VALUE = new Set(['-p', '--project-dir', '-b', '--build-file', '-c', '--settings-file', '-x', '-g']);
const GRADLE_DEPENDENCIES = new Set([
  'dependencies',
  'downloadDependencies',
  'androidDependencies',
  'resolveDependencies',
]);

/** gradle: the dependency tasks fill the caches; other tasks build into the project's build folders. */
const gradle: CommandReader = (r, cmd) => {
  const tasks = operandsOf(cmd, GRADLE_VALUE);
  const dir = valueOf(cmd, '-p', '--project-dir') ?? '.';
  const home = valueOf(cmd, '-g', '--gradle-user-home') ?? r.dirVar('GRADLE_USER_HOME');
  const basis: WriteBasis = tasks.length > 0 && tasks.every((t) => GRADLE_DEPENDENCIES.has(t)) ? 'manifests' : null;
  const by = `gradle ${tasks[0] ?? ''}`.trim();
  if (home !== null) r.add(home, basis, by);
  r.add(joinRel(dir, '.gradle'), basis, by);
  r.caches(basis, by);
  if (basis === null) r.add(dir, null, by);
};

const DOTNET_VALUE = new Set(['-o', '--output', '-c', '--configuration', '-r', '--runtime', '-f', '--framework']);
const DOTNET_VALUE_MORE = ['-a', '--arch', '--os', '-v', '--verbosity', '--source', '-s', '--packages', '--tool-path'];

/** dotnet restore (obj/ from the project files), build / publish / test / pack (bin/, obj/, -o). */
const dotnet: CommandReader = (r, cmd) => {
  const ops = operandsOf(cmd, new Set([...DOTNET_VALUE, ...DOTNET_VALUE_MORE]));
  const sub = ops[0];
  const project = ops[1];
  const dir =
    project === undefined ? '.' : /\.(csproj|fsproj|vbproj|sln|slnx)$/i.test(project) ? dirOf(project) : project;
  const by = `dotnet ${sub ?? ''}`.trim();
  if (sub === undefined) return;
  const packages = valueOf(cmd, '--packages');
  if (sub === 'restore') {
    if (packages !== null) r.add(packages, 'manifests', by);
    r.add(dir, 'manifests', by);
    return r.caches('manifests', by);
  }
  if (sub === 'run') return r.cannot(cmd.text);
  const out = valueOf(cmd, '-o', '--output');
  if (out !== null) r.add(out, null, by);
  const toolPath = valueOf(cmd, '--tool-path');
  if (toolPath !== null) r.add(toolPath, null, by);
  r.add(dir, null, by);
  r.caches(null, by);
};

/** Rails and rake tasks run in the project: its folder and the caches. */
const projectScript: CommandReader = (r, cmd) => r.project(`${cmd.program} ${operandsOf(cmd)[0] ?? ''}`.trim());

export const BUILD_READERS = new Map<string, CommandReader>([
  ['bundle', bundle],
  ['bundler', bundle],
  ['gem', gem],
  ['composer', composer],
  ['composer.phar', composer],
  ['go', go],
  ['cargo', cargo],
  ['rustup', rustup],
  ['mvn', mvn],
  ['mvnw', mvn],
  ['gradle', gradle],
  ['gradlew', gradle],
  ['dotnet', dotnet],
  ['rails', projectScript],
  ['rake', projectScript],
]);
