// Reads a stage for "this stage builds from source with a toolchain": which ecosystem, which step is the last
// one that needs the toolchain, and which paths the build produces (the artifacts a runtime stage needs).
// Paths come from the build command itself (-o, --release target/release/<name>, target/*.jar, publish -o,
// dist/ or build/); when a command does not name its output, the CMD/ENTRYPOINT or the ecosystem's default
// output location decides, and the plan says so in its notes.

import { lookup } from './lookup';
import * as posix from 'node:path/posix';
import { memoPerStep } from './reuse';
import type { DockerfileModel, Stage, Step } from './model';
import {
  commandsOf,
  hasOption,
  isCommand,
  operands,
  optionValue,
  programOf,
  shellCommand,
  splitCommands,
  subcommandOf,
  type ShellCommand,
} from './shell';
import { parseImageRef } from './imageRef';
import {
  packageCommand,
  readApkAdd,
  readApkDel,
  readAptInstall,
  readAptMark,
  readAptRemove,
  readNodeInstall,
  readPipInstall,
} from './packageCommands';

export type Ecosystem = 'go' | 'rust' | 'c' | 'java' | 'dotnet' | 'node-frontend' | 'node-service' | 'python';

export const ECOSYSTEM_NAMES: Record<Ecosystem, string> = {
  go: 'Go',
  rust: 'Rust',
  c: 'C/C++',
  java: 'Java',
  dotnet: '.NET',
  'node-frontend': 'front-end bundle',
  'node-service': 'Node.js service',
  python: 'Python with compiled packages',
};

export interface Artifact {
  /** Absolute path in the builder; a trailing `/` means a directory whose contents are copied. */
  path: string;
  /** Where it goes in the runtime stage (absolute). Defaults to the same path, so CMD and scripts keep working. */
  dest: string;
}

export interface BuildPlan {
  ecosystem: Ecosystem;
  stage: Stage;
  /** The build command as written (for messages): `go build -o /out/app ./cmd/app`. */
  command: string;
  /** Index (in model.steps) of the step that builds. */
  buildStep: number;
  /** Index of the last step of the stage that still needs the toolchain (the builder stage ends there). */
  lastToolchainStep: number;
  /** Paths to copy into the runtime stage; empty when the output could not be located. */
  artifacts: Artifact[];
  /** Commands appended to the builder (e.g. `npm prune --omit=dev`), each one RUN. */
  builderCommands: string[];
  /** The binary is statically linked (Go with CGO_ENABLED=0, Rust musl target, gcc -static). */
  staticBinary: boolean;
  /** The builder is musl-based (Alpine). */
  musl: boolean;
  /** apt packages installed in the stage that the program needs at run time (toolchain and -dev removed). */
  runtimePackages: string[];
  /** -dev packages whose run-time library we could not name. */
  unknownDevPackages: string[];
  /** Steps whose output the runtime still carries (dependencies installed into the copied paths). */
  carriedSteps: number[];
  /** Caveats a person should know before applying the rewrite. */
  notes: string[];
  /** For .NET: ASP.NET Core (EXPOSE or ASPNETCORE_* in the stage). For Java/.NET/Python/Node: version from the tag. */
  web: boolean;
  version: string | null;
}

/** Packages that only build software; none of them is needed to run a compiled program. */
const TOOLCHAIN_PACKAGES = new Set([
  'build-essential',
  'gcc',
  'g++',
  'cpp',
  'make',
  'cmake',
  'ninja-build',
  'clang',
  'llvm',
  'lld',
  'binutils',
  'autoconf',
  'automake',
  'libtool',
  'pkg-config',
  'pkgconf',
  'libc6-dev',
  'libc-dev',
  'musl-dev',
  'build-base',
  'python3-dev',
  'python-dev',
  'python3-pip',
  'python3-setuptools',
  'python3-wheel',
  'git',
  'cargo',
  'rustc',
  'golang',
  'golang-go',
  'maven',
  'gradle',
  'default-jdk',
  'default-jdk-headless',
  'nodejs',
  'npm',
  'yarn',
  'bison',
  'flex',
  'gfortran',
  'patch',
  'dpkg-dev',
  'gnupg',
  'wget',
  'curl',
  'xz-utils',
  'unzip',
]);
/** Packages that download or unpack sources; dropped from the runtime only when they look build-only. */
const FETCH_TOOLS = new Set(['git', 'gnupg', 'wget', 'curl', 'xz-utils', 'unzip']);

/** -dev package -> the run-time library package (Debian bookworm names). */
const DEV_RUNTIME: Record<string, string | null> = {
  'libpq-dev': 'libpq5',
  'libssl-dev': 'libssl3',
  'libffi-dev': 'libffi8',
  'zlib1g-dev': 'zlib1g',
  'libxml2-dev': 'libxml2',
  'libxslt1-dev': 'libxslt1.1',
  'libjpeg-dev': 'libjpeg62-turbo',
  'libjpeg62-turbo-dev': 'libjpeg62-turbo',
  'libpng-dev': 'libpng16-16',
  'libcurl4-openssl-dev': 'libcurl4',
  'default-libmysqlclient-dev': 'libmariadb3',
  'libmariadb-dev': 'libmariadb3',
  'libsqlite3-dev': 'libsqlite3-0',
  'libyaml-dev': 'libyaml-0-2',
  'libbz2-dev': 'libbz2-1.0',
  'liblzma-dev': 'liblzma5',
  'libzstd-dev': 'libzstd1',
  'libreadline-dev': 'libreadline8',
  'libncurses-dev': 'libncursesw6',
  'libgmp-dev': 'libgmp10',
  'libpcre3-dev': 'libpcre3',
  'libpcre2-dev': 'libpcre2-8-0',
  'libmagic-dev': 'libmagic1',
  'libgeos-dev': 'libgeos-c1v5',
  'libldap2-dev': 'libldap-2.5-0',
  'libsasl2-dev': 'libsasl2-2',
  'libwebp-dev': 'libwebp7',
  'libfreetype6-dev': 'libfreetype6',
  'libblas-dev': 'libblas3',
  'liblapack-dev': 'liblapack3',
  'libopenblas-dev': 'libopenblas0',
  'libsodium-dev': 'libsodium23',
  'libevent-dev': 'libevent-2.1-7',
  'libuv1-dev': 'libuv1',
  'libstdc++-12-dev': null,
  'libc6-dev': null,
};

/** Build tools. Every program a detector below looks for must be here (or be matched by isPythonPip). */
const BUILD_PROGRAMS = new Set([
  'go',
  'cargo',
  'rustc',
  'mvn',
  'mvnw',
  'gradle',
  'gradlew',
  'dotnet',
  'npm',
  'yarn',
  'pnpm',
  'npx',
  'tsc',
  'gcc',
  'g++',
  'cc',
  'c++',
  'clang',
  'clang++',
  'make',
  'cmake',
  'ninja',
  'pip',
  'pip3',
  'javac',
  'ng',
  'vite',
  'webpack',
  'meson',
  './configure',
  'configure',
]);

export const runsBuildTool = (c: ShellCommand): boolean => BUILD_PROGRAMS.has(programOf(c)) || isPythonPip(c);

/** A step that runs no build tool cannot be a stage's build (a test runs each detector's command alone). */
const mayBuild = memoPerStep((step: Step): boolean => commandsOf(step).some(runsBuildTool));

interface Ctx {
  model: DockerfileModel;
  stage: Stage;
  steps: Step[];
  /** ENV values of the stage, last write wins (textual). */
  env: Map<string, string>;
  /** Packages installed with apt-get/apk in the stage, with the step that installs them. */
  packages: { name: string; step: number }[];
  /** CMD + ENTRYPOINT text in effect at the end of the stage. */
  startCommand: string;
}

/** The plan for the first build found in `stage`, or null when the stage does not build from source. */
export function findBuild(model: DockerfileModel, stage: Stage): BuildPlan | null {
  // most stages build nothing: a per-step check (kept across edits) rules them out before any detector runs
  if (!stage.steps.some((i) => model.steps[i] !== undefined && mayBuild(model.steps[i]))) return null;
  const steps = stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  let packages: Ctx['packages'] | undefined;
  const ctx: Ctx = {
    model,
    stage,
    steps,
    env: readEnv(steps),
    startCommand: startCommand(steps),
    // read when a detector needs them (most stages build nothing, and a long stage has thousands of installs)
    get packages() {
      return (packages ??= readPackages(steps));
    },
  };
  const detectors = [detectGo, detectRust, detectJava, detectDotnet, detectNode, detectPython, detectC];
  let best: BuildPlan | null = null;
  for (const d of detectors) {
    const plan = d(ctx);
    if (plan && (!best || plan.buildStep > best.buildStep)) best = plan;
  }
  if (!best) return null;
  best.lastToolchainStep = lastToolchainStep(steps, best.buildStep);
  return best;
}

/** The last RUN of the stage that still calls a build tool (tests, installs after the build stay in the builder). */
function lastToolchainStep(steps: Step[], buildStep: number): number {
  let last = buildStep;
  for (const s of steps) {
    if (s.index <= buildStep || s.keyword !== 'RUN') continue;
    if (commandsOf(s).some(runsBuildTool)) last = s.index;
  }
  return last;
}

function base(ctx: Ctx, ecosystem: Ecosystem, step: Step, cmd: ShellCommand): BuildPlan {
  const from = parseImageRef(ctx.stage.from);
  const alpine =
    /alpine/.test(from.tag ?? '') ||
    from.repository === 'alpine' ||
    ctx.packages.some((p) => p.name === 'musl-dev' || p.name === 'build-base');
  return {
    ecosystem,
    stage: ctx.stage,
    command: cmd.text,
    buildStep: step.index,
    lastToolchainStep: step.index,
    artifacts: [],
    builderCommands: [],
    staticBinary: false,
    musl: alpine,
    runtimePackages: [],
    unknownDevPackages: [],
    carriedSteps: [],
    notes: [],
    web: false,
    version: null,
  };
}

/** The last RUN command of the stage that `pred` accepts. */
function lastMatch(ctx: Ctx, pred: (c: ShellCommand) => boolean): { step: Step; cmd: ShellCommand } | null {
  for (let s = ctx.steps.length - 1; s >= 0; s--) {
    const step = ctx.steps[s];
    const cmds = commandsOf(step);
    for (let k = cmds.length - 1; k >= 0; k--) if (pred(cmds[k])) return { step, cmd: cmds[k] };
  }
  return null;
}

function abs(workdir: string, p: string): string {
  const r = posix.resolve(workdir, p);
  return p.endsWith('/') && !r.endsWith('/') ? r + '/' : r;
}

// ---------------------------------------------------------------------------------------------------------
// Go

function detectGo(ctx: Ctx): BuildPlan | null {
  const m = lastMatch(ctx, (c) => isCommand(c, ['go'], ['build', 'install']));
  if (!m) return null;
  const plan = base(ctx, 'go', m.step, m.cmd);
  const wd = m.step.workdir;
  const cgo = /\bCGO_ENABLED=(\S+)/.exec(m.cmd.text)?.[1] ?? ctx.env.get('CGO_ENABLED');
  plan.staticBinary = cgo === '0' || /-extldflags[ =]["']?-static/.test(m.cmd.text);
  if (subcommandOf(m.cmd) === 'install') {
    const gobin = ctx.env.get('GOBIN') ?? `${ctx.env.get('GOPATH') ?? '/go'}/bin`;
    plan.artifacts.push({ path: gobin.replace(/\/?$/, '/'), dest: '/usr/local/bin/' });
    return plan;
  }
  const out = optionValue(m.cmd, '-o');
  if (out) {
    plan.artifacts.push({ path: abs(wd, out), dest: abs(wd, out) });
    return plan;
  }
  const pkgs = operands(m.cmd).filter((a) => !/\.go$/.test(a));
  const pkg = pkgs.length === 1 ? pkgs[0] : '.';
  const name = pkg === '.' || pkg === './...' ? posix.basename(wd) : posix.basename(pkg);
  if (name && name !== '/' && name !== '...') {
    plan.artifacts.push({ path: posix.join(wd, name), dest: posix.join(wd, name) });
    plan.notes.push(`go build names its output after the package; assumed ${posix.join(wd, name)}`);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Rust

function detectRust(ctx: Ctx): BuildPlan | null {
  const m = lastMatch(ctx, (c) => isCommand(c, ['cargo'], ['build', 'install']));
  if (!m) return null;
  const plan = base(ctx, 'rust', m.step, m.cmd);
  const wd = m.step.workdir;
  const target = optionValue(m.cmd, '--target');
  plan.staticBinary = /musl/.test(target ?? '') || /crt-static/.test(m.cmd.text + (ctx.env.get('RUSTFLAGS') ?? ''));
  if (subcommandOf(m.cmd) === 'install') {
    const root = optionValue(m.cmd, '--root') ?? ctx.env.get('CARGO_HOME') ?? '/usr/local/cargo';
    plan.artifacts.push({ path: `${root.replace(/\/$/, '')}/bin/`, dest: '/usr/local/bin/' });
    return plan;
  }
  const profile = hasOption(m.cmd, '--release', '-r') ? 'release' : (optionValue(m.cmd, '--profile') ?? 'debug');
  const targetDir = optionValue(m.cmd, '--target-dir') ?? ctx.env.get('CARGO_TARGET_DIR') ?? 'target';
  const dir = abs(wd, posix.join(targetDir, target ?? '', profile === 'dev' ? 'debug' : profile));
  const bin = optionValue(m.cmd, '--bin') ?? binaryNamedIn(ctx.startCommand, dir, wd);
  if (bin) {
    plan.artifacts.push({ path: posix.join(dir, bin), dest: posix.join(dir, bin) });
  } else {
    // the package name is in Cargo.toml, which we do not read: collect the executables cargo left in the profile dir
    plan.builderCommands.push(`mkdir -p /out && find ${dir} -maxdepth 1 -type f -perm -u+x -exec cp {} /out/ \\;`);
    plan.artifacts.push({ path: '/out/', dest: dir + '/' });
    plan.notes.push(`the binary name is in Cargo.toml; the executables of ${dir} are copied`);
  }
  return plan;
}

/** `./target/release/app --port 1` in CMD -> `app` when the path lies in `dir`. */
function binaryNamedIn(start: string, dir: string, wd: string): string | null {
  for (const w of start.split(/[\s"',[\]]+/)) {
    if (!w.includes('/')) continue;
    const p = abs(wd, w);
    if (posix.dirname(p) === dir) return posix.basename(p);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Java

function detectJava(ctx: Ctx): BuildPlan | null {
  const maven = lastMatch(
    ctx,
    (c) =>
      ['mvn', 'mvnw'].includes(programOf(c)) &&
      c.words.slice(1).some((w) => ['package', 'install', 'verify', 'spring-boot:repackage'].includes(w)),
  );
  const gradle = lastMatch(
    ctx,
    (c) =>
      ['gradle', 'gradlew'].includes(programOf(c)) &&
      c.words.slice(1).some((w) => /^(:?[\w-]+:)?(build|assemble|jar|bootJar|shadowJar|installDist)$/.test(w)),
  );
  const m = maven && (!gradle || maven.step.index >= gradle.step.index) ? maven : gradle;
  if (!m) return null;
  const plan = base(ctx, 'java', m.step, m.cmd);
  const wd = m.step.workdir;
  plan.version = javaVersion(ctx.stage.from);
  if (m === maven) {
    const pom = optionValue(m.cmd, '-f', '--file');
    const dir = pom ? abs(wd, pom.endsWith('.xml') ? posix.dirname(pom) : pom) : wd;
    const target = posix.join(dir, 'target');
    plan.artifacts.push({ path: posix.join(target, '*.jar'), dest: target + '/' });
  } else if (m.cmd.words.some((w) => /installDist$/.test(w))) {
    plan.artifacts.push({ path: posix.join(wd, 'build/install/'), dest: posix.join(wd, 'build/install/') });
  } else {
    const libs = posix.join(wd, 'build/libs');
    plan.artifacts.push({ path: posix.join(libs, '*.jar'), dest: libs + '/' });
  }
  if (!plan.version) plan.notes.push('Java version not in the base tag; using 21');
  return plan;
}

function javaVersion(from: string): string | null {
  const r = parseImageRef(from);
  const tag = r.tag ?? '';
  const named = /(?:jdk|temurin|openjdk|corretto|java)-?(\d{1,2})(?!\d)/.exec(tag);
  if (named) return named[1];
  if (/^(eclipse-temurin|openjdk|amazoncorretto|sapmachine|ibm-semeru-runtimes)$/.test(r.repository)) {
    return /^(\d{1,2})(?!\d)/.exec(tag)?.[1] ?? null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// .NET

function detectDotnet(ctx: Ctx): BuildPlan | null {
  const m = lastMatch(ctx, (c) => isCommand(c, ['dotnet'], ['publish', 'build']));
  if (!m) return null;
  const plan = base(ctx, 'dotnet', m.step, m.cmd);
  const wd = m.step.workdir;
  const out = optionValue(m.cmd, '-o', '--output');
  const dir = out ? abs(wd, out) : posix.join(wd, 'bin');
  plan.artifacts.push({ path: dir.replace(/\/?$/, '/'), dest: dir.replace(/\/?$/, '/') });
  if (!out) plan.notes.push(`no -o given: copies ${dir}/ (the publish folder is below it)`);
  const r = parseImageRef(ctx.stage.from);
  plan.version = /^(\d+\.\d+)/.exec(r.tag ?? '')?.[1] ?? null;
  plan.web =
    ctx.steps.some((s) => s.keyword === 'EXPOSE') ||
    [...ctx.env.keys()].some((k) => k.startsWith('ASPNETCORE_')) ||
    /\b(Web|Api|AspNet)/i.test(ctx.startCommand);
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Node.js

const STATIC_SERVERS = /\b(serve|http-server|nginx|static|vite preview|preview|live-server|lite-server)\b/;
const FRONTEND_TOOLS = /\b(vite|react-scripts|ng|webpack|parcel|next export|astro|svelte-kit|vue-cli-service)\b/;

function isNodeBuild(c: ShellCommand): boolean {
  const p = programOf(c);
  const w = c.words;
  const pc = packageCommand(c);
  if (pc?.tool === 'npm')
    return (pc.sub === 'run' || pc.sub === 'run-script') && /build|bundle|compile|dist/.test(pc.operands[0] ?? '');
  if (pc?.tool === 'yarn' || pc?.tool === 'pnpm') {
    const script = pc.sub === 'run' ? pc.operands[0] : pc.sub;
    return /^(build|bundle|compile|dist)(:|$)/.test(script ?? '');
  }
  if (p === 'npx') {
    // a compiler or bundler builds when run (`npx tsc` reads tsconfig.json); the dev-server tools only with `build`
    const tool = w[1] ?? '';
    return (
      /^(tsc|webpack|esbuild|rollup)$/.test(tool) ||
      (/^(vite|ng|parcel|react-scripts)$/.test(tool) && w.slice(2).includes('build'))
    );
  }
  if (p === 'tsc') return true;
  if (p === 'ng' || p === 'vite') return w[1] === 'build';
  return false;
}

function detectNode(ctx: Ctx): BuildPlan | null {
  const m = lastMatch(ctx, isNodeBuild);
  if (!m) return null;
  const wd = m.step.workdir;
  const start = ctx.startCommand;
  const frontend =
    STATIC_SERVERS.test(start) ||
    (start === '' && FRONTEND_TOOLS.test(m.cmd.text)) ||
    (FRONTEND_TOOLS.test(m.cmd.text) && !/\bnode\b/.test(start));
  const plan = base(ctx, frontend ? 'node-frontend' : 'node-service', m.step, m.cmd);
  plan.version = /^(\d+)/.exec(parseImageRef(ctx.stage.from).tag ?? '')?.[1] ?? null;
  const outFlag = optionValue(m.cmd, '--outDir', '--out-dir', '--output-path', '-o');
  const named = /\b(dist|build|out|public|www)\b/.exec(start.replace(/node_modules\S*/g, ''))?.[1];
  const out = outFlag ?? named ?? 'dist';
  if (!outFlag && !named)
    plan.notes.push(`the build output folder is not named in the Dockerfile; assumed ${abs(wd, out)}/`);
  const outDir = abs(wd, out).replace(/\/?$/, '/');
  if (frontend) {
    plan.artifacts.push({ path: outDir, dest: '/usr/share/nginx/html/' });
    return plan;
  }
  const manager = programOf(m.cmd);
  plan.builderCommands.push(
    manager === 'pnpm'
      ? 'pnpm prune --prod'
      : manager === 'yarn'
        ? 'yarn install --production --frozen-lockfile'
        : 'npm prune --omit=dev',
  );
  plan.artifacts.push(
    { path: posix.join(wd, 'package.json'), dest: posix.join(wd, 'package.json') },
    { path: posix.join(wd, 'node_modules/'), dest: posix.join(wd, 'node_modules/') },
    { path: outDir, dest: outDir },
  );
  plan.carriedSteps = ctx.steps
    .filter((s) => commandsOf(s).some((c) => readNodeInstall(c) !== null))
    .map((s) => s.index);
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Python

/** pip itself (not `uv pip`, whose prefix and cache options differ: the multi-stage rewrite writes pip's). */
function isPythonPip(c: ShellCommand): boolean {
  const pip = readPipInstall(c);
  return pip !== null && !pip.uv;
}

function detectPython(ctx: Ctx): BuildPlan | null {
  const m = lastMatch(ctx, isPythonPip);
  if (!m) return null;
  const compilers = ctx.packages.filter((p) =>
    ['build-essential', 'gcc', 'g++', 'build-base', 'clang'].includes(p.name),
  );
  if (compilers.length === 0) return null;
  // before every compiler install (no Math.min(...list): it may be long)
  if (compilers.every((c) => m.step.index < c.step)) return null;
  const plan = base(ctx, 'python', m.step, m.cmd);
  const r = parseImageRef(ctx.stage.from);
  plan.version = /^(\d+\.\d+)/.exec(r.tag ?? '')?.[1] ?? null;
  if (r.repository !== 'python' || r.registry !== null) {
    plan.notes.push('the interpreter does not come from the python image; its package folder is not known');
    return plan;
  }
  // pip's --prefix puts packages and scripts under /install; /usr/local is where the python image looks
  plan.artifacts.push({ path: '/install/', dest: '/usr/local/' });
  plan.carriedSteps = [m.step.index];
  const copiesSource = ctx.steps.some(
    (s) =>
      s.index < m.step.index &&
      s.keyword === 'COPY' &&
      !s.copyFrom &&
      (s.sources ?? []).some((src) => src === '.' || src === './'),
  );
  if (copiesSource)
    plan.artifacts.push({ path: m.step.workdir.replace(/\/?$/, '/'), dest: m.step.workdir.replace(/\/?$/, '/') });
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// C / C++

const COMPILERS = ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++'];

function detectC(ctx: Ctx): BuildPlan | null {
  const compile = lastMatch(
    ctx,
    (c) => COMPILERS.includes(programOf(c)) && !hasOption(c, '-c', '-E', '-S', '--version', '-v'),
  );
  const make = lastMatch(
    ctx,
    (c) =>
      ['make', 'ninja'].includes(programOf(c)) || (programOf(c) === 'cmake' && hasOption(c, '--build', '--install')),
  );
  const m = compile && (!make || compile.step.index >= make.step.index) ? compile : make;
  if (!m) return null;
  const toolchain =
    ctx.packages.some((p) =>
      ['build-essential', 'gcc', 'g++', 'clang', 'make', 'cmake', 'build-base'].includes(p.name),
    ) || /^(gcc|buildpack-deps)$/.test(parseImageRef(ctx.stage.from).repository);
  if (!toolchain) return null;
  const plan = base(ctx, 'c', m.step, m.cmd);
  const wd = m.step.workdir;
  const all = ctx.steps.flatMap((step) => commandsOf(step).map((cmd) => ({ step, cmd })));
  plan.staticBinary =
    all.some((x) => COMPILERS.includes(programOf(x.cmd)) && hasOption(x.cmd, '-static')) ||
    /(^|\s)LDFLAGS=["']?[^"'\s]*-static/.test(
      all.map((x) => x.cmd.text).join('\n') + ` LDFLAGS=${ctx.env.get('LDFLAGS') ?? ''}`,
    );
  const installs = all.filter(
    (x) =>
      (programOf(x.cmd) === 'make' && operands(x.cmd, false).includes('install')) ||
      (programOf(x.cmd) === 'cmake' && hasOption(x.cmd, '--install')) ||
      (programOf(x.cmd) === 'ninja' && operands(x.cmd, false).includes('install')),
  );
  if (installs.length) {
    const prefix =
      /PREFIX=(\S+)/.exec(installs[installs.length - 1].cmd.text)?.[1] ??
      optionValue(installs[installs.length - 1].cmd, '--prefix') ??
      '/usr/local';
    plan.artifacts.push({ path: prefix.replace(/\/?$/, '/'), dest: prefix.replace(/\/?$/, '/') });
  } else {
    const outputs = all
      .filter((x) => COMPILERS.includes(programOf(x.cmd)))
      .map((x) => ({ out: optionValue(x.cmd, '-o'), wd: x.step.workdir }))
      .filter((o): o is { out: string; wd: string } => o.out !== null && !/\.(o|a|obj)$/.test(o.out));
    const seen = new Set<string>();
    for (const o of outputs) {
      const p = abs(o.wd, o.out);
      if (!seen.has(p)) plan.artifacts.push({ path: p, dest: p });
      seen.add(p);
    }
    if (plan.artifacts.length === 0) {
      const program = startProgram(ctx);
      if (program && program.includes('/')) {
        const p = abs(wd, program);
        plan.artifacts.push({ path: p, dest: p });
        plan.notes.push(`make does not name its output; copies ${p}, the program CMD/ENTRYPOINT runs`);
      }
    }
  }
  return plan;
}

/** The program the container starts (first word of ENTRYPOINT, else of CMD). */
function startProgram(ctx: Ctx): string | null {
  const entry = [...ctx.steps].reverse().find((s) => s.keyword === 'ENTRYPOINT');
  const cmd = [...ctx.steps].reverse().find((s) => s.keyword === 'CMD');
  const s = entry ?? cmd;
  if (!s) return null;
  const first = s.words[0];
  if (!s.execForm && first && ['sh', '/bin/sh', 'bash', '/bin/bash'].includes(first)) return null;
  return first ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the stage

function readEnv(steps: Step[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const s of steps) {
    if (s.keyword !== 'ENV') continue;
    if (s.words.length >= 2 && !s.words[0].includes('=')) env.set(s.words[0], s.words.slice(1).join(' '));
    else
      for (const w of s.words) {
        const eq = w.indexOf('=');
        if (eq > 0) env.set(w.slice(0, eq), w.slice(eq + 1));
      }
  }
  return env;
}

function readPackages(steps: Step[]): { name: string; step: number }[] {
  const out: { name: string; step: number }[] = [];
  for (const s of steps) for (const name of packagesOf(s)) out.push({ name, step: s.index });
  return out;
}

/** The packages one step installs with apt-get/apt, then apk (names without versions). Once per Step. */
const packagesOf = memoPerStep((s: Step): string[] => {
  const out: string[] = [];
  const cmds = commandsOf(s);
  for (const c of cmds) for (const name of readAptInstall(c)?.packages ?? []) out.push(name);
  for (const c of cmds) for (const name of readApkAdd(c)?.packages ?? []) out.push(name);
  return out;
});

function startCommand(steps: Step[]): string {
  const last = (k: string): Step | undefined => {
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].keyword === k) return steps[i];
    return undefined;
  };
  return [last('ENTRYPOINT'), last('CMD')]
    .filter((s): s is Step => s !== undefined)
    .map((s) => s.words.join(' '))
    .join(' ');
}

/**
 * Splits the apt packages installed in the stage into what the built program needs at run time: toolchain
 * and -dev packages go, -dev packages are swapped for their run-time library where we know its name. A toolchain
 * package stays when the image runs one of its programs (CMD, ENTRYPOINT, HEALTHCHECK, the RUN steps that stay in
 * the runtime stage); the download tools stay too when the image starts a script we cannot read.
 */
export function runtimePackagesOf(model: DockerfileModel, plan: BuildPlan): void {
  const all = plan.stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  const steps = all.filter((s) => s.index <= plan.lastToolchainStep);
  const pkgs = readPackages(steps).map((p) => p.name);
  const run = programsRun(all.filter((s) => s.index > plan.lastToolchainStep || s.keyword !== 'RUN'));
  // a program the build made (`./app`, /usr/local/bin/server) is no script we failed to read
  const workdir = all[all.length - 1]?.workdir ?? '/';
  run.scripts = run.scripts.filter(
    (x) => !plan.artifacts.some((a) => posix.resolve(workdir, x).startsWith(a.path.replace(/\/$/, ''))),
  );
  const needed = (p: string): boolean =>
    [...run.programs].some((prog) => (PROGRAM_PACKAGE[prog] ?? prog) === p) ||
    (run.scripts.length > 0 && FETCH_TOOLS.has(p));
  const keep: string[] = [];
  const unknown: string[] = [];
  const keptForScripts: string[] = [];
  for (const p of pkgs) {
    if (TOOLCHAIN_PACKAGES.has(p) && !needed(p)) continue;
    if (TOOLCHAIN_PACKAGES.has(p) && ![...run.programs].some((prog) => (PROGRAM_PACKAGE[prog] ?? prog) === p))
      keptForScripts.push(p);
    if (p.endsWith('-dev')) {
      const lib = lookup(DEV_RUNTIME, p);
      if (lib) keep.push(lib);
      else if (lib === undefined) unknown.push(p);
      continue;
    }
    if (/^(gcc|g\+\+|cpp|clang|llvm)-\d+/.test(p)) continue;
    keep.push(p);
  }
  plan.runtimePackages = [...new Set(keep)];
  plan.unknownDevPackages = [...new Set(unknown)];
  if (keptForScripts.length)
    plan.notes.push(
      `${run.scripts.join(', ')} is not read here: ${[...new Set(keptForScripts)].join(', ')} kept in case it calls them`,
    );
}

/** Program -> the Debian/Alpine package that brings it, where the names differ (else the program's own name). */
const PROGRAM_PACKAGE: Record<string, string> = {
  gpg: 'gnupg',
  xz: 'xz-utils',
  unxz: 'xz-utils',
  xzcat: 'xz-utils',
  node: 'nodejs',
  nodejs: 'nodejs',
  cc: 'gcc',
  'c++': 'g++',
};

/**
 * The programs `steps` run (CMD, ENTRYPOINT, HEALTHCHECK: exec or shell form, `sh -c` strings read; RUN commands),
 * and the scripts among them, which we cannot read (`./start.sh`, `sh entry.sh`, a path ending in .sh).
 */
export function programsRun(steps: Step[]): { programs: Set<string>; scripts: string[] } {
  const programs = new Set<string>();
  const scripts: string[] = [];
  const add = (cmds: readonly ShellCommand[]): void => {
    for (const c of cmds) {
      const w = c.words;
      const prog = programOf(c);
      if (/^(sh|bash|ash|dash)$/.test(prog) && w[1] === '-c' && w[2]) {
        add(splitCommands(w[2]));
        continue;
      }
      const script = /^(sh|bash|ash|dash)$/.test(prog) ? w.find((x, i) => i > 0 && !x.startsWith('-')) : w[0];
      if (script && /\.sh$|^\.{0,2}\//.test(script) && !scripts.includes(script)) scripts.push(script);
      if (prog) programs.add(prog);
    }
  };
  for (const s of steps) {
    if (s.keyword === 'RUN') add(commandsOf(s));
    else if (s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT' || s.keyword === 'HEALTHCHECK') {
      const words = s.keyword === 'HEALTHCHECK' ? healthcheckWords(s) : s.words.slice();
      if (words.length === 0) continue;
      const text = s.keyword === 'HEALTHCHECK' ? s.args.replace(/^(\s*--\S+)*\s*CMD\s+/i, '') : s.args;
      add(s.execForm ? [shellCommand(words, words.join(' '))] : splitCommands(text));
    }
  }
  return { programs, scripts };
}

/** A HEALTHCHECK's command words (after its options and CMD); [] for NONE. */
function healthcheckWords(s: Step): string[] {
  const at = s.words.findIndex((w) => /^CMD$/i.test(w));
  return at < 0 ? [] : s.words.slice(at + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Whether the toolchain stays in the image

/** Packages that compile (a compiler, or a language toolchain installed as a package). */
const COMPILER_PACKAGES = new Set([
  'build-essential',
  'build-base',
  'gcc',
  'g++',
  'clang',
  'make',
  'cmake',
  'golang',
  'golang-go',
  'go',
  'rust',
  'rustc',
  'cargo',
]);

/** Images whose own layers bring a compiler: buildpack-deps, the full language images built on it, SDK images. */
function baseBringsCompiler(from: string): boolean {
  const r = parseImageRef(from);
  if (/^(gcc|buildpack-deps|golang|rust)$/.test(r.repository)) return true;
  return /^(python|node|ruby|perl)$/.test(r.repository) && !/slim|alpine/.test(r.tag ?? 'latest');
}

/**
 * Why the toolchain does not stay in the image, or null when it does: every compiler package the stage installs is
 * removed again by the RUN that installed it (`apt-get install gcc ... && apt-get purge -y --auto-remove gcc`, the
 * official images' `apt-mark auto '.*'` + `purge --auto-remove`, `apk add --virtual .build-deps ... && apk del
 * .build-deps`), and the base brings none. Only for builds whose toolchain is such packages (C, Go, Rust, Python's
 * compiled packages); an SDK image or a Node.js build's dev dependencies stay whatever apt does.
 */
export function toolchainRemoved(model: DockerfileModel, plan: BuildPlan): string | null {
  if (!['c', 'python', 'go', 'rust'].includes(plan.ecosystem) || baseBringsCompiler(plan.stage.from)) return null;
  const steps = plan.stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  const compilers = readPackages(steps).filter((p) => COMPILER_PACKAGES.has(p.name));
  if (compilers.length === 0) return null;
  const lines: number[] = [];
  for (const step of steps) {
    const own = compilers.filter((c) => c.step === step.index);
    if (own.length === 0) continue;
    const left = packagesLeftBy(step);
    if (own.some((c) => left.has(c.name))) return null;
    lines.push(step.line);
  }
  const names = [...new Set(compilers.map((c) => c.name))];
  return `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} removed again in the RUN that installs ${names.length > 1 ? 'them' : 'it'} (line ${lines.join(', ')})`;
}

/**
 * The packages a RUN installs (apt, apk) that are still installed when it ends, read in order: apt installs mark
 * what they name manual, `apt-mark auto '.*'` / `apt-mark manual NAME` change marks, `purge|remove NAMES` removes
 * them, --auto-remove / autoremove removes what is marked auto; `apk del` removes names and --virtual groups.
 * `apt-mark manual $savedAptMark` (a variable: the list saved before the installs) names none of this RUN's packages.
 */
function packagesLeftBy(step: Step): Set<string> {
  const left = new Map<string, { manual: boolean; group: string | null }>();
  for (const c of commandsOf(step)) {
    for (const name of readAptInstall(c)?.packages ?? []) left.set(name, { manual: true, group: null });
    const apk = readApkAdd(c);
    for (const name of apk?.packages ?? []) left.set(name, { manual: true, group: apk?.virtual ?? null });
    const mark = readAptMark(c);
    if (mark) {
      for (const [name, st] of left) if (mark.all || mark.packages.includes(name)) st.manual = mark.manual;
    }
    const removed = readAptRemove(c);
    if (removed) {
      for (const name of removed.packages) left.delete(name);
      if (removed.autoRemove) for (const [name, st] of left) if (!st.manual) left.delete(name);
    }
    const del = readApkDel(c);
    if (del)
      for (const [name, st] of left) if (del.includes(name) || (st.group && del.includes(st.group))) left.delete(name);
  }
  return new Set(left.keys());
}
