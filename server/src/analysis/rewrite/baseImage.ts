// Smaller official variants of a base image (-slim, -alpine, -jre, ...), the edit that switches the FROM to
// one, and, for a move from Debian/Ubuntu to Alpine, the translation of apt-get installs into apk adds.

import { lookup } from '../lookup';
import type { DockerfileModel, Stage, Step, TextEdit } from '../model';
import { memoPerStep } from '../reuse';
import { commandsOf, operands, programOf, type ShellCommand } from '../shell';
import {
  packageCommand,
  readAptInstall,
  readAptRemove,
  readNodeInstall,
  readPipInstall,
  requirementNames,
} from '../packageCommands';
import { expand } from '../variables';
import { deleteStep, replaceStep } from './edits';
import { isSmallVariant, officialName, parseImageRef, type ImageRef } from '../imageRef';

export type VariantKind = 'slim' | 'alpine' | 'jre';

export interface Variant {
  kind: VariantKind;
  /** The new reference, fully expanded: `node:20-slim`. */
  image: string;
  /** The same as it should be written in place of the FROM's image word (variables kept when possible). */
  written: string;
}

/** Official images and the variants they publish. */
const SLIM = new Set(['node', 'python', 'ruby', 'rust', 'debian', 'perl']);
const ALPINE = new Set([
  'node',
  'python',
  'ruby',
  'rust',
  'golang',
  'nginx',
  'httpd',
  'redis',
  'postgres',
  'php',
  'memcached',
  'haproxy',
  'traefik',
  'caddy',
  'openjdk',
]);
const RELEASE_SUFFIX = /-(bookworm|bullseye|buster|trixie)$/;

/** Tag transformations; each returns null when it does not apply. */
function slimTag(repo: string, tag: string): string | null {
  if (repo === 'debian') return tag === 'latest' ? 'stable-slim' : `${tag}-slim`;
  const m = RELEASE_SUFFIX.exec(tag);
  // python and ruby put the release last (3.12-slim-bookworm), node and rust put slim last (20-bookworm-slim)
  if (m && (repo === 'python' || repo === 'ruby')) return `${tag.slice(0, m.index)}-slim${m[0]}`;
  return tag === 'latest' ? 'slim' : `${tag}-${'slim'}`;
}

function alpineTag(repo: string, tag: string): string | null {
  const t = tag.replace(RELEASE_SUFFIX, '');
  if (tag === 'latest' || t === '') return 'alpine';
  if (repo === 'php') return `${t}-alpine`;
  return `${t}-alpine`;
}

/** A .NET tag on Debian or Ubuntu (`10.0`, `8.0.11-bookworm-slim`, `9.0-noble`): its version is group 1. */
const DOTNET_GLIBC_TAG = /^(\d+\.\d+(?:\.\d+)?)(?:-(?:bookworm-slim|bullseye-slim|trixie-slim|jammy|noble|focal))?$/;

/**
 * For a .NET runtime moved to Alpine: the SDK stages whose output the final stage copies (`COPY --from=build`), moved
 * to the SDK's -alpine tag of the same version, so that the app (and its apphost, a native executable) is
 * published for musl. `copies` are those COPY steps (their glibc risk is what the edits remove); null when the
 * runtime is not .NET or an SDK stage cannot be moved.
 */
export function dotnetSdkCompanion(
  model: DockerfileModel,
  stage: Stage,
  variant: Variant,
): { edits: TextEdit[]; copies: Set<Step>; lines: number[] } | null {
  const target = parseImageRef(variant.image);
  if (target.registry !== 'mcr.microsoft.com' || !/^dotnet\//.test(target.repository)) return null;
  const edits: TextEdit[] = [];
  const copies = new Set<Step>();
  const lines: number[] = [];
  for (const i of stage.steps) {
    const step = model.steps[i];
    const from = step?.copyFrom?.stage;
    if (step?.keyword !== 'COPY' || from === null || from === undefined) continue;
    // the stage that names the SDK image: the copied stage or the stage it is built FROM, and so on
    const chain = new Set<number>();
    let sdk: Stage | undefined = model.stages[from];
    for (let hops = 0; sdk && hops <= model.stages.length; hops++) {
      chain.add(sdk.index);
      if (sdk.baseStage === null) break;
      sdk = model.stages[sdk.baseStage];
    }
    const ref = sdk ? parseImageRef(sdk.from) : null;
    if (!sdk || !ref || ref.registry !== 'mcr.microsoft.com' || ref.repository !== 'dotnet/sdk') continue;
    // another stage built on that SDK (a dev stage running apt-get) would move to Alpine too: not safe
    if (runsOnChain(model, chain)) return null;
    copies.add(step);
    if (/alpine/.test(ref.tag ?? '') || lines.includes(sdk.line)) continue;
    const version = DOTNET_GLIBC_TAG.exec(ref.tag ?? '')?.[1];
    const edit = version ? fromEdit(model, sdk, `mcr.microsoft.com/dotnet/sdk:${version}-alpine`) : null;
    if (!edit) return null;
    edits.push(edit);
    lines.push(sdk.line);
  }
  return { edits, copies, lines };
}

/** Does a stage outside `chain`, built FROM one of its stages, run anything (it would change base with them)? */
function runsOnChain(model: DockerfileModel, chain: ReadonlySet<number>): boolean {
  return model.stages.some(
    (st) =>
      st.baseStage !== null &&
      chain.has(st.baseStage) &&
      !chain.has(st.index) &&
      st.steps.some((i) => model.steps[i]?.keyword === 'RUN'),
  );
}

/** The smaller variants of `ref`, best first by size; [] when none or already small. */
export function smallerVariants(stage: Stage, model: DockerfileModel): Variant[] {
  const ref = stage.from;
  if (!ref || ref.includes('$') || isSmallVariant(ref) || stage.baseStage !== null) return [];
  const r = parseImageRef(ref);
  if (r.digest) return [];
  const name = officialName(r);
  const tag = r.tag ?? 'latest';
  const out: { kind: VariantKind; ref: ImageRef }[] = [];
  const dotnet = r.registry === 'mcr.microsoft.com' && /^dotnet\/(aspnet|runtime|runtime-deps)$/.test(r.repository);
  if (
    name === 'eclipse-temurin' &&
    /^(\d+(\.[\d._]+)?)(-jdk)?(-(jammy|noble|focal|ubi\d+-minimal|resolute))?$/.test(tag)
  ) {
    const jre = tag.includes('-jdk') ? tag.replace('-jdk', '-jre') : tag.replace(/^([\d._]+)/, '$1-jre');
    out.push({ kind: 'jre', ref: { ...r, tag: jre } });
    if (/^[\d._]+(-jdk)?$/.test(tag)) out.push({ kind: 'alpine', ref: { ...r, tag: `${jre}-alpine` } });
  } else if (name === 'openjdk') {
    const v = /^(\d+)/.exec(tag)?.[1];
    if (v)
      out.push({ kind: 'jre', ref: { registry: null, repository: 'eclipse-temurin', tag: `${v}-jre`, digest: null } });
  } else if (dotnet) {
    // only the Debian and Ubuntu tags have an -alpine sibling (azurelinux, distroless, nanoserver, windowsservercore
    // and chiseled tags do not)
    const glibc = DOTNET_GLIBC_TAG.exec(tag);
    if (glibc) out.push({ kind: 'alpine', ref: { ...r, tag: `${glibc[1]}-alpine` } });
  } else if (name) {
    if (SLIM.has(name)) {
      const t = slimTag(name, tag);
      if (t) out.push({ kind: 'slim', ref: { ...r, tag: t } });
    }
    if (ALPINE.has(name) && name !== 'openjdk') {
      const t = alpineTag(name, tag);
      if (t) out.push({ kind: 'alpine', ref: { ...r, tag: t } });
    }
    if (name === 'debian' || name === 'ubuntu')
      out.push({ kind: 'alpine', ref: { registry: null, repository: 'alpine', tag: '3.24', digest: null } });
  }
  return out.map((v) => {
    const image = `${v.ref.registry ? v.ref.registry + '/' : ''}${v.ref.repository}:${v.ref.tag ?? 'latest'}`;
    return { kind: v.kind, image, written: writtenForm(model, stage, r, v.ref, image) };
  });
}

/** Keeps variables of the FROM (`node:${NODE_VERSION}` -> `node:${NODE_VERSION}-slim`) when they still expand right. */
function writtenForm(model: DockerfileModel, stage: Stage, from: ImageRef, to: ImageRef, image: string): string {
  const raw = stage.fromRaw;
  if (!raw.includes('$') || from.repository !== to.repository) return image;
  const oldTag = from.tag ?? 'latest';
  const newTag = to.tag ?? 'latest';
  const scope = new Map(model.globalArgs);
  let candidate: string | null = null;
  if (newTag.startsWith(oldTag)) candidate = (raw.includes(':') ? raw : `${raw}:`) + newTag.slice(oldTag.length);
  const rel = RELEASE_SUFFIX.exec(oldTag);
  if (rel && newTag === `${oldTag.slice(0, rel.index)}-slim${rel[0]}` && raw.endsWith(rel[0]))
    candidate = `${raw.slice(0, -rel[0].length)}-slim${rel[0]}`;
  if (oldTag.includes('-jdk') && newTag === oldTag.replace('-jdk', '-jre') && raw.includes('-jdk'))
    candidate = raw.replace('-jdk', '-jre');
  return candidate !== null && expand(candidate, scope, model.directives.escape) === image ? candidate : image;
}

/** The edit that writes `written` over the image word of the stage's FROM (flags and AS name untouched). */
export function fromEdit(model: DockerfileModel, stage: Stage, written: string): TextEdit | null {
  const line = model.lines[stage.line - 1] ?? '';
  const m = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)/i.exec(line);
  if (!m || m[2] !== stage.fromRaw) return null;
  const start = m[1].length + 1;
  return {
    startLine: stage.line,
    startColumn: start,
    endLine: stage.line,
    endColumn: start + m[2].length,
    newText: written,
  };
}

// ---------------------------------------------------------------------------------------------------------
// apt-get -> apk

/** Debian package -> Alpine package (null: nothing to install on Alpine). */
const APT_TO_APK: Record<string, string | null> = {
  'build-essential': 'build-base',
  gcc: 'gcc',
  'g++': 'g++',
  make: 'make',
  cmake: 'cmake',
  'pkg-config': 'pkgconf',
  autoconf: 'autoconf',
  automake: 'automake',
  libtool: 'libtool',
  'libc6-dev': 'musl-dev',
  'libc-dev': 'musl-dev',
  'ca-certificates': 'ca-certificates',
  curl: 'curl',
  wget: 'wget',
  git: 'git',
  gnupg: 'gnupg',
  openssl: 'openssl',
  'openssh-client': 'openssh-client',
  bash: 'bash',
  jq: 'jq',
  unzip: 'unzip',
  zip: 'zip',
  'xz-utils': 'xz',
  tar: 'tar',
  gzip: 'gzip',
  bzip2: 'bzip2',
  tzdata: 'tzdata',
  procps: 'procps',
  less: 'less',
  vim: 'vim',
  nano: 'nano',
  'netcat-openbsd': 'netcat-openbsd',
  'iputils-ping': 'iputils',
  dnsutils: 'bind-tools',
  'dumb-init': 'dumb-init',
  tini: 'tini',
  gosu: 'su-exec',
  file: 'file',
  rsync: 'rsync',
  patch: 'patch',
  sqlite3: 'sqlite',
  python3: 'python3',
  'python3-pip': 'py3-pip',
  'python3-dev': 'python3-dev',
  'python3-venv': null,
  'libpq-dev': 'libpq-dev',
  libpq5: 'libpq',
  'postgresql-client': 'postgresql-client',
  'default-libmysqlclient-dev': 'mariadb-dev',
  'libmariadb-dev': 'mariadb-dev',
  'default-mysql-client': 'mysql-client',
  'libssl-dev': 'openssl-dev',
  libssl3: 'libssl3',
  'libffi-dev': 'libffi-dev',
  'zlib1g-dev': 'zlib-dev',
  zlib1g: 'zlib',
  'libxml2-dev': 'libxml2-dev',
  libxml2: 'libxml2',
  'libxslt1-dev': 'libxslt-dev',
  'libjpeg-dev': 'libjpeg-turbo-dev',
  'libjpeg62-turbo-dev': 'libjpeg-turbo-dev',
  'libpng-dev': 'libpng-dev',
  'libcurl4-openssl-dev': 'curl-dev',
  'libsqlite3-dev': 'sqlite-dev',
  'libyaml-dev': 'yaml-dev',
  'libbz2-dev': 'bzip2-dev',
  'liblzma-dev': 'xz-dev',
  'libreadline-dev': 'readline-dev',
  'libncurses-dev': 'ncurses-dev',
  libmagic1: 'libmagic',
  libgomp1: 'libgomp',
  'libstdc++6': 'libstdc++',
  imagemagick: 'imagemagick',
  ffmpeg: 'ffmpeg',
  'fonts-dejavu': 'font-dejavu',
  locales: 'musl-locales',
  nodejs: 'nodejs',
  npm: 'npm',
  'openjdk-17-jre-headless': 'openjdk17-jre-headless',
  'libgeos-dev': 'geos-dev',
  gettext: 'gettext',
  'shared-mime-info': 'shared-mime-info',
  'apt-transport-https': null,
  'software-properties-common': null,
  'lsb-release': null,
  'debian-archive-keyring': null,
};

export interface AptTranslation {
  /** Why Alpine cannot be offered, when it cannot. */
  blocker: string | null;
  /** The apt RUNs to rewrite, with their apk commands ([]: the RUN goes away). */
  runs: { step: Step; commands: string[] }[];
}

/** Rewrites every apt-get RUN of `stage` for Alpine; a blocker says why that is not possible. */
export function translateAptToApk(model: DockerfileModel, stage: Stage): AptTranslation {
  const runs: AptTranslation['runs'] = [];
  for (const i of stage.steps) {
    const step = model.steps[i];
    if (!step || step.keyword !== 'RUN') continue;
    const t = translateStep(step);
    if (t === null) continue;
    if (typeof t === 'string') return { runs: [], blocker: t };
    runs.push(t);
  }
  return { runs, blocker: null };
}

const APT_PROGRAMS = ['apt-get', 'apt', 'dpkg', 'apt-key', 'add-apt-repository', 'dpkg-reconfigure'];
const USER_PROGRAMS = ['useradd', 'groupadd', 'usermod'];

/**
 * One RUN for Alpine: null when it does not use apt, its apk commands, or why it cannot be translated. Once per Step.
 */
const translateStep = memoPerStep((step: Step): AptTranslation['runs'][number] | string | null => {
  const cmds = commandsOf(step);
  const usesApt = cmds.some((c) => APT_PROGRAMS.includes(c.program));
  const usersCmd = cmds.find((c) => USER_PROGRAMS.includes(c.program));
  if (usersCmd) return `line ${step.line} runs ${usersCmd.program}, which Alpine's BusyBox spells differently`;
  if (!usesApt) return null;
  if (step.heredocs.length || step.execForm)
    return `line ${step.line} runs apt in a form the rewrite does not translate`;
  const rest = step.command;
  if (/\|\|?|\$\(|`|\(/.test(rest.replace(/"[^"]*"|'[^']*'/g, '')))
    return `line ${step.line} mixes apt-get with pipes or subshells`;
  const out: string[] = [];
  for (const c of cmds) {
    const translated = translateCommand(c);
    if (typeof translated === 'object' && translated !== null) return `line ${step.line}: ${translated.blocker}`;
    if (translated !== '') out.push(translated);
  }
  return { step, commands: out };
});

/** The edits that make the translated RUNs apk RUNs (deleting those left with nothing to run). */
export function aptToApkEdits(model: DockerfileModel, translation: AptTranslation): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const { step, commands: out } of translation.runs) {
    if (out.length === 0) {
      edits.push(deleteStep(model, step));
      continue;
    }
    const flags = step.flags
      .filter((f) => !(f.name === 'mount' && /target=\/var\/(cache|lib)\/apt/.test(f.value ?? '')))
      .map((f) => `--${f.name}${f.value !== null ? '=' + f.value : ''} `)
      .join('');
    const esc = model.directives.escape;
    const indent = (model.lines[step.line - 1] ?? '').match(/^\s*/)?.[0] ?? '';
    const lines = out.map((c, k) => (k === 0 ? `${indent}RUN ${flags}${c}` : `${indent}    && ${c}`));
    edits.push(
      replaceStep(
        model,
        step,
        lines.map((l, k) => (k < lines.length - 1 ? `${l} ${esc}` : l)),
      ),
    );
  }
  return edits;
}

/** '' to drop the command, a string to keep, or a blocker. */
function translateCommand(c: ShellCommand): string | { blocker: string } {
  const p = programOf(c);
  const apt = packageCommand(c);
  if (apt?.tool === 'apt') {
    const sub = apt.sub ?? '';
    if (['update', 'clean', 'autoclean', 'autoremove', 'upgrade', 'dist-upgrade'].includes(sub)) return '';
    const read = readAptInstall(c) ?? readAptRemove(c);
    if (read) {
      const pkgs: string[] = [];
      for (const name of [...read.unreadable, ...read.packages]) {
        const apk = lookup(APT_TO_APK, name);
        if (apk === undefined) return { blocker: `no Alpine package known for ${name}` };
        if (apk) pkgs.push(apk);
      }
      if (pkgs.length === 0) return '';
      return sub === 'install'
        ? `apk add --no-cache ${[...new Set(pkgs)].join(' ')}`
        : `apk del ${[...new Set(pkgs)].join(' ')}`;
    }
    return { blocker: `apt-get ${sub} has no apk translation` };
  }
  if (['dpkg', 'apt-key', 'add-apt-repository', 'dpkg-reconfigure'].includes(p))
    return { blocker: `${p} has no Alpine equivalent` };
  if (
    p === 'rm' &&
    operands(c, false).length > 0 &&
    operands(c, false).every((o) => /^\/var\/(lib|cache)\/apt/.test(o))
  )
    return '';
  // joins continuation lines; split and trim, not /\s*\\\n\s*/g, which is quadratic on a long run of blanks
  const parts = c.text.split('\\\n');
  return parts
    .map((p, i) => (i > 0 ? p.trimStart() : p))
    .map((p, i) => (i < parts.length - 1 ? p.trimEnd() : p))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// What can break on a smaller variant

/** The folders official web server images serve files from. */
const WEB_ROOT = /^\/(usr\/share\/nginx\/html|usr\/local\/apache2\/htdocs|var\/www|srv)(\/|$)/;

/** Why musl (Alpine) may break this stage: Python wheels, native Node modules, glibc-linked binaries. */
const PYTHON_MANAGERS = ['poetry', 'pipenv', 'uv'];
const DOWNLOADERS = ['curl', 'wget'];

export function muslRisks(model: DockerfileModel, stage: Stage, except?: ReadonlySet<Step>): string[] {
  const risks = new Set<string>();
  for (const i of stage.steps) {
    const step = model.steps[i];
    if (step && !except?.has(step)) for (const r of stepMuslRisks(step)) risks.add(r);
  }
  return [...risks];
}

/** The musl risks one step brings (its text alone decides them). Once per Step. */
const stepMuslRisks = memoPerStep((step: Step): string[] => {
  const risks: string[] = [];
  const cmds = commandsOf(step);
  if (cmds.some((c) => packageCommand(c)?.tool === 'pip' || PYTHON_MANAGERS.includes(c.program)))
    risks.push('Python wheels are built for glibc (manylinux); on musl pip may compile from source or fail');
  if (cmds.some((c) => readNodeInstall(c) !== null)) {
    risks.push('native Node modules (node-gyp, prebuilt binaries) are built for glibc');
  }
  const downloads = cmds.some(
    (c) => DOWNLOADERS.includes(c.program) && /\/(usr\/local\/)?bin\/|\.tar\.gz|\.tgz|\.zip/.test(c.text),
  );
  // files a web server serves (a front-end bundle in nginx's html folder) are not programs: no libc involved
  const foreignCopy =
    (step.keyword === 'COPY' || step.keyword === 'ADD') &&
    (step.copyFrom !== undefined || (step.sources ?? []).some((s) => /^https?:/.test(s))) &&
    !WEB_ROOT.test(step.destination ?? '');
  if (downloads || foreignCopy) risks.push(`glibc-linked binaries (line ${step.line}) will not run on musl`);
  return risks;
});

/** Programs the full image has and -slim lacks, used here without being installed by the stage. */
/** What one step apt-installs and which full-image-only programs it runs, in order. Once per Step. */
const slimUse = memoPerStep((step: Step): { installs: string[]; uses: string[] } => {
  const installs: string[] = [];
  const uses: string[] = [];
  for (const c of commandsOf(step)) {
    for (const p of readAptInstall(c)?.packages ?? []) installs.push(p);
    if (FULL_ONLY.includes(c.program)) uses.push(c.program);
  }
  if (step.keyword === 'CMD' || step.keyword === 'ENTRYPOINT' || step.keyword === 'HEALTHCHECK') {
    const p = (step.words[0] === 'CMD' ? step.words[1] : step.words[0]) ?? '';
    if (FULL_ONLY.includes(p)) uses.push(p);
    if (/\bcurl\b/.test(step.args)) uses.push('curl');
  }
  return { installs, uses };
});

const FULL_ONLY = [
  'curl',
  'wget',
  'git',
  'gcc',
  'g++',
  'make',
  'ssh',
  'bzip2',
  'unzip',
  'xz',
  'patch',
  'file',
  'procps',
  'ps',
];

export function slimRisks(model: DockerfileModel, stage: Stage): string[] {
  const installed = new Set<string>();
  const used = new Map<string, number>();
  for (const i of stage.steps) {
    const step: Step | undefined = model.steps[i];
    if (!step) continue;
    const own = slimUse(step);
    for (const p of own.installs) installed.add(p);
    for (const p of own.uses) if (!used.has(p)) used.set(p, step.line);
  }
  const pkgFor = (p: string): string =>
    p === 'g++' || p === 'gcc' || p === 'make'
      ? 'build-essential'
      : p === 'ssh'
        ? 'openssh-client'
        : p === 'xz'
          ? 'xz-utils'
          : p === 'ps'
            ? 'procps'
            : p;
  return [...used]
    .filter(
      ([p]) =>
        !installed.has(p) &&
        !installed.has(pkgFor(p)) &&
        !(['gcc', 'g++', 'make'].includes(p) && installed.has('build-essential')),
    )
    .map(([p, line]) => `-slim has no ${p} (used at line ${line}); add ${pkgFor(p)} to an apt-get install`);
}

// ---------------------------------------------------------------------------------------------------------
// Native code compiled in the stage

/**
 * Python distributions Linux gets as source only: pip compiles them, with gcc and the named -dev packages (Debian
 * names). The full python image has both (buildpack-deps); -slim and Alpine do not. (PyPI file lists, 2026-12.)
 */
const PY_SOURCE_ONLY: Record<string, string[]> = {
  psycopg2: ['libpq-dev'],
  mysqlclient: ['default-libmysqlclient-dev', 'pkg-config'],
  uwsgi: [],
  'python-ldap': ['libldap2-dev', 'libsasl2-dev'],
  pygraphviz: ['graphviz-dev'],
  dlib: ['cmake'],
  pyaudio: ['portaudio19-dev'],
  cchardet: [],
};
/** Distributions whose last release has Linux wheels up to a Python version: source only on newer ones. */
const WHEELS_UP_TO: Record<string, number> = { cchardet: 9 };

/** Gems with native extensions compiled at install (gcc, make; pg and mysql2 also their client libraries). */
const NATIVE_GEMS = ['pg', 'mysql2', 'puma', 'bcrypt', 'nio4r', 'websocket-driver', 'msgpack', 'bootsnap', 'json'];
const COMPILER_PACKAGES = ['build-essential', 'gcc', 'g++', 'build-base', 'clang'];

export interface NativeBuild {
  /** "psycopg2 (line 30) compiles a C extension": what compiles, for the title. */
  what: string;
  /** Debian packages the stage would have to install on -slim (the compiler and -dev libraries it lacks). */
  needs: string[];
}

/**
 * What the stage compiles with the compilers of a full base image (the stage installs no compiler itself): pip
 * distributions without wheels (named, or in a requirements file of `contents`), packages of a lockfile whose
 * install scripts run node-gyp, gems with native extensions, node-gyp itself. Empty when it compiles nothing or
 * brings its own compiler.
 */
export function nativeBuilds(
  model: DockerfileModel,
  stage: Stage,
  contents: Record<string, string> = {},
): NativeBuild[] {
  const steps = stage.steps.map((i) => model.steps[i]).filter((s): s is Step => s !== undefined);
  const installed = new Set(steps.flatMap((s) => commandsOf(s).flatMap((c) => readAptInstall(c)?.packages ?? [])));
  if (COMPILER_PACKAGES.some((p) => installed.has(p))) return [];
  const ref = parseImageRef(stage.from);
  const minor = ref.repository === 'python' ? /^3\.(\d+)/.exec(ref.tag ?? '')?.[1] : undefined;
  const python = minor !== undefined ? Number(minor) : null;
  const out: NativeBuild[] = [];
  for (const step of steps)
    for (const c of commandsOf(step)) {
      const found = nativeOf(c, contents, python);
      if (found)
        out.push({ what: `${found.what} (line ${step.line})`, needs: found.needs.filter((p) => !installed.has(p)) });
    }
  return out;
}

/** `name` has a Linux wheel for Python 3.`minor` (null: the version is not known, taken as a current one). */
function hasWheel(name: string, minor: number | null): boolean {
  const upTo = lookup(WHEELS_UP_TO, name);
  return upTo !== undefined && minor !== null && minor <= upTo;
}

function nativeOf(
  c: ShellCommand,
  contents: Record<string, string>,
  python: number | null,
): { what: string; needs: string[] } | null {
  const pip = readPipInstall(c);
  if (pip) {
    const names = [
      ...requirementNames(pip.named.join('\n')),
      ...pip.requirementFiles.flatMap((f) => requirementsIn(f, contents)),
    ];
    const src = [...new Set(names.filter((n) => lookup(PY_SOURCE_ONLY, n) !== undefined && !hasWheel(n, python)))];
    if (src.length === 0 && !c.words.some((w) => w.startsWith('--no-binary'))) return null;
    const what = src.length
      ? `${src.join(', ')} compile${src.length > 1 ? '' : 's'} a C extension`
      : 'pip --no-binary compiles from source';
    return { what, needs: ['build-essential', ...src.flatMap((n) => lookup(PY_SOURCE_ONLY, n) ?? [])] };
  }
  const p = programOf(c);
  if (p === 'node-gyp' || (packageCommand(c)?.tool === 'npm' && c.subcommand === 'rebuild'))
    return { what: 'node-gyp compiles native modules', needs: ['python3', 'make', 'g++'] };
  const node = readNodeInstall(c);
  if (node) {
    const addons = [
      ...node.named.filter((n) => NATIVE_NODE.has(n.replace(/@[^/@]*$/, ''))),
      ...installScripts(contents),
    ];
    if (addons.length)
      return {
        what: `${[...new Set(addons)].slice(0, 3).join(', ')} build native addons (node-gyp when no prebuilt binary fits)`,
        needs: ['python3', 'make', 'g++'],
      };
  }
  const gems = p === 'gem' && c.subcommand === 'install' ? operands(c).filter((g) => NATIVE_GEMS.includes(g)) : [];
  if (gems.length || (p === 'bundle' && (c.subcommand === 'install' || c.subcommand === null)))
    return {
      what: gems.length
        ? `gems ${gems.join(', ')} compile native extensions`
        : 'bundle install compiles gems with native extensions (puma, pg, ...)',
      needs: [
        'build-essential',
        ...(gems.includes('pg') ? ['libpq-dev'] : []),
        ...(gems.includes('mysql2') ? ['default-libmysqlclient-dev'] : []),
      ],
    };
  return null;
}

/** Distribution names of a requirements file the command names, found by its name among the read context files. */
function requirementsIn(file: string, contents: Record<string, string>): string[] {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const key = Object.keys(contents).find((k) => k === base || k.endsWith('/' + base));
  return key ? requirementNames(contents[key]) : [];
}

/** npm packages that are native addons: built by node-gyp at install unless a prebuilt binary for the platform fits. */
const NATIVE_NODE = new Set([
  'bcrypt',
  'argon2',
  'sqlite3',
  'better-sqlite3',
  'node-sass',
  'canvas',
  'bufferutil',
  'utf-8-validate',
  're2',
  'node-pty',
  'leveldown',
  'zeromq',
  'kerberos',
  'cpu-features',
  'deasync',
  'microtime',
]);

/** Native addons of a package-lock.json in the context whose install scripts run (`"hasInstallScript": true`). */
function installScripts(contents: Record<string, string>): string[] {
  const known = scriptsRead.get(contents);
  if (known) return known;
  const key = Object.keys(contents).find((k) => k === 'package-lock.json' || k.endsWith('/package-lock.json'));
  if (!key) return [];
  const names: string[] = [];
  const re = /"node_modules\/((?:@[^/"]+\/)?[^/"]+)"\s*:\s*\{[^{}]*?"hasInstallScript"\s*:\s*true/g;
  for (const m of contents[key].matchAll(re)) if (NATIVE_NODE.has(m[1]) && !names.includes(m[1])) names.push(m[1]);
  scriptsRead.set(contents, names);
  return names;
}

/** The lockfile is read once per context (a stage may run thousands of installs). */
const scriptsRead = new WeakMap<Record<string, string>, string[]>();
