// RUN steps, apk: the Debian stand-in for an Alpine package the bundled Alpine table (../data/apk-packages.json) does
// not know. Its name maps to the Debian package that ships the same software (debianNameFor: same name, or the
// renames below), and its size is that package's Installed-Size, with (for a package the RUN names) the Debian
// dependencies a minimal Debian system lacks, from the Debian trixie index (../debianTable.ts), times the measured
// ratio of Alpine to Debian installed sizes (musl and busybox builds are smaller; scripts/gen-apk-packages.mjs
// measures it on the packages both tables have). What maps to nothing is left out and named.

import { installClosure, knownBasePackages } from '../debian';
import type { DebIndex } from '../debianTable';
import { lookup } from '../../lookup';

/** Alpine names whose Debian package is named otherwise (Debian trixie). */
const RENAMES: Readonly<Record<string, string>> = {
  'musl-dev': 'libc6-dev',
  'libc-dev': 'libc6-dev',
  'linux-headers': 'linux-libc-dev',
  pkgconfig: 'pkgconf',
  'build-base': 'build-essential',
  'openssl-dev': 'libssl-dev',
  'zlib-dev': 'zlib1g-dev',
  'jpeg-dev': 'libjpeg62-turbo-dev',
  'libjpeg-turbo-dev': 'libjpeg62-turbo-dev',
  'postgresql-dev': 'libpq-dev',
  'libpq-dev': 'libpq-dev',
  'mariadb-dev': 'libmariadb-dev',
  'mariadb-client': 'mariadb-client',
  'mysql-client': 'default-mysql-client',
  'postgresql-client': 'postgresql-client',
  'sqlite-dev': 'libsqlite3-dev',
  'sqlite-libs': 'libsqlite3-0',
  'icu-libs': 'libicu76',
  'icu-data-full': 'libicu76',
  'icu-dev': 'libicu-dev',
  'libstdc++-dev': 'libstdc++-14-dev',
  'libstdc++': 'libstdc++6',
  libgcc: 'libgcc-s1',
  'python3-dev': 'python3-dev',
  'py3-pip': 'python3-pip',
  nodejs: 'nodejs',
  'nodejs-current': 'nodejs',
  shadow: 'passwd',
  'procps-ng': 'procps',
  'openssh-client': 'openssh-client',
  'openssh-client-default': 'openssh-client',
  'bind-tools': 'bind9-dnsutils',
  'libxml2-dev': 'libxml2-dev',
  'libxslt-dev': 'libxslt1-dev',
  'freetype-dev': 'libfreetype-dev',
  'libpng-dev': 'libpng-dev',
  'libwebp-dev': 'libwebp-dev',
  'gmp-dev': 'libgmp-dev',
  'readline-dev': 'libreadline-dev',
  'ncurses-dev': 'libncurses-dev',
  'bzip2-dev': 'libbz2-dev',
  'xz-dev': 'liblzma-dev',
  'zstd-dev': 'libzstd-dev',
  'yaml-dev': 'libyaml-dev',
  'curl-dev': 'libcurl4-openssl-dev',
  'pcre2-dev': 'libpcre2-dev',
  'libzip-dev': 'libzip-dev',
  'oniguruma-dev': 'libonig-dev',
  'libsodium-dev': 'libsodium-dev',
  'krb5-dev': 'libkrb5-dev',
  'openldap-dev': 'libldap-dev',
  'libevent-dev': 'libevent-dev',
  'font-noto': 'fonts-noto-core',
  'ttf-freefont': 'fonts-freefont-ttf',
  'ttf-dejavu': 'fonts-dejavu-core',
  rust: 'rustc',
  go: 'golang-go',
  openjdk17: 'openjdk-17-jdk-headless',
  'openjdk17-jre': 'openjdk-17-jre-headless',
  'openjdk21-jre': 'openjdk-21-jre-headless',
  openjdk21: 'openjdk-21-jdk-headless',
  libexpat: 'libexpat1',
  pcre2: 'libpcre2-8-0',
  libgfortran: 'libgfortran5',
  libquadmath: 'libquadmath0',
  libgmpxx: 'libgmpxx4ldbl',
  'libcap-utils': 'libcap2-bin',
  libcap: 'libcap2-bin',
  mailcap: 'media-types',
  'coreutils-env': 'coreutils',
  'netcat-openbsd': 'netcat-openbsd',
};

/** The Debian package that stands for an Alpine one: a rename, `py3-x` as `python3-x`, else the same name. */
export function debianNameFor(alpine: string): string {
  const renamed = lookup(RENAMES, alpine);
  if (renamed) return renamed;
  if (alpine.startsWith('py3-')) return `python3-${alpine.slice(4)}`;
  return alpine;
}

/** What the Debian stand-ins of some Alpine packages add: bytes (before the factor) and the Debian packages added. */
export interface DebianStandIn {
  kib: number;
  /** Debian packages counted (so a later RUN does not count them again). */
  added: string[];
  /** Alpine names with no Debian package of the mapped name. */
  unknown: string[];
}

/**
 * The Debian stand-ins of `named` (packages the RUN names: with their Debian dependencies that a minimal Debian
 * system and `have` lack, no Recommends) and `deps` (dependencies of a known Alpine package: the package alone, the
 * Alpine table already told what it needs).
 */
export function debianStandIn(
  index: DebIndex,
  have: ReadonlySet<string>,
  named: readonly string[],
  deps: readonly string[],
): DebianStandIn {
  const installed = new Set([...knownBasePackages(index.suite, 'minbase'), ...have]);
  const out: DebianStandIn = { kib: 0, added: [], unknown: [] };
  const count = (name: string, kib: number): void => {
    installed.add(name);
    out.added.push(name);
    out.kib += kib;
  };
  const resolve = (alpine: string) => {
    const name = debianNameFor(alpine);
    const resolved = index.has(name) ? name : index.providers(name)?.[0];
    return resolved === undefined ? undefined : index.get(resolved);
  };
  for (const alpine of named) {
    const pkg = resolve(alpine);
    if (!pkg) {
      out.unknown.push(alpine);
      continue;
    }
    // the package itself counts even when minimal Debian has it (tzdata, libgcc-s1: an Alpine base does not)
    const without = new Set(installed);
    if (!have.has(pkg.name)) without.delete(pkg.name);
    for (const p of installClosure(index, without, [pkg.name], true).added) count(p.name, p.kib);
  }
  for (const alpine of deps) {
    const pkg = resolve(alpine);
    if (!pkg) out.unknown.push(alpine);
    else if (!have.has(pkg.name) && !out.added.includes(pkg.name)) count(pkg.name, pkg.kib);
  }
  return out;
}
