// What `apt-get install` adds to a Debian system, over a suite's package index (./debianTable.ts loads it): the
// dependency closure of the packages named (Depends, Pre-Depends and, unless --no-install-recommends, Recommends;
// alternatives and virtual packages resolved as apt does), minus what is installed already.
// Also: the packages an official image already has, so that an install only counts what it adds.

import baseSets from './data/debian-base-sets.json';
import type { DebIndex, DebPackage, Suite } from './debianTable';

export interface Closure {
  /** Packages that would be newly installed, in resolution order. */
  added: DebPackage[];
  /** Names asked for that the index does not know (typo, another component, a pruned family, a PPA). */
  unknown: string[];
}

/**
 * What `apt-get install names` adds to a system that has `installed`: the named packages and, transitively, their
 * Depends/Pre-Depends (and Recommends unless `noRecommends`). For an alternative group, a member already present
 * wins, else the first that exists (apt's choice too); a virtual name resolves to an installed provider, else the
 * first provider.
 */
export function installClosure(
  index: DebIndex,
  installed: ReadonlySet<string>,
  names: string[],
  noRecommends: boolean,
  prefer: ReadonlySet<string> = new Set(),
): Closure {
  const added: DebPackage[] = [];
  const unknown: string[] = [];
  // what is installed so far: the given set plus what this closure adds (no copy of the given set: a RUN per
  // line of a 5,000-line file would copy the base image's package list each time)
  const adding = new Set<string>();
  const have = {
    has: (n: string): boolean => adding.has(n) || installed.has(n),
    add: (n: string): void => void adding.add(n),
  };
  const resolve = (name: string): string | null => {
    if (index.has(name)) return name;
    const provs = index.providers(name);
    if (!provs?.length) return null;
    return provs.find((p) => have.has(p)) ?? provs.find((p) => prefer.has(p)) ?? provs[0];
  };
  const pickGroup = (group: string[]): string | null => {
    for (const alt of group) {
      if (have.has(alt)) return null;
      const provs = index.providers(alt);
      if (provs?.some((p) => have.has(p))) return null;
    }
    const preferred = group.find((alt) => prefer.has(alt));
    if (preferred) return preferred;
    for (const alt of group) {
      const r = resolve(alt);
      if (r) return r;
    }
    return null;
  };
  const stack: string[] = [];
  for (const n of names) {
    const r = resolve(n);
    if (!r) unknown.push(n);
    else stack.push(r);
  }
  stack.reverse();
  while (stack.length) {
    const name = stack.pop() as string;
    if (have.has(name)) continue;
    const pkg = index.get(name);
    if (!pkg) continue;
    have.add(name);
    added.push(pkg);
    const groups = noRecommends ? pkg.depends : [...pkg.depends, ...pkg.recommends];
    for (let i = groups.length - 1; i >= 0; i--) {
      const next = pickGroup(groups[i]);
      if (next && !have.has(next)) stack.push(next);
    }
  }
  return { added, unknown };
}

/** What a base image already has installed, per kind of official image. */
export type BasePackageSet = 'minbase' | 'buildpack-curl' | 'buildpack-scm' | 'buildpack-deps';

/**
 * The packages an official image of `suite` already has, without loading the suite's table: precomputed from the
 * tables by basePackages (scripts/gen-debian-base-sets.mjs; a unit test keeps the two equal).
 */
export function knownBasePackages(suite: Suite, set: BasePackageSet): readonly string[] {
  return (baseSets.suites as Record<string, Record<string, string[]> | undefined>)[suite]?.[set] ?? [];
}

const minbaseCache = new Map<string, Set<string>>();

/**
 * Packages of an official image's root filesystem. Debian's images (debuerreotype) are a debootstrap
 * `--variant=minbase`: every Priority: required package plus apt, with their dependencies; the -slim variants have
 * the same packages (they drop documentation files). The full language images (node:22, python:3.12, golang:1.26,
 * ruby, rust, ...) are built on buildpack-deps, which adds the lists of its Dockerfiles
 * (docker-library/buildpack-deps debian/<suite>/{curl,scm,}/Dockerfile).
 */
export function basePackages(index: DebIndex, set: BasePackageSet): Set<string> {
  const key = `${index.suite}:${set}`;
  const cached = minbaseCache.get(key);
  if (cached) return cached;
  // Alternatives and virtual packages resolve to the seeds when they can (mawk is required, so `awk` is mawk), and
  // to usr-is-merged rather than usrmerge: debootstrap builds a merged-/usr system itself.
  const seeds = [...index.required, 'apt'];
  const prefer = new Set([...seeds, 'usr-is-merged']);
  let have = new Set<string>();
  for (const p of installClosure(index, have, seeds, true, prefer).added) have.add(p.name);
  const layers: string[][] = [];
  if (set !== 'minbase') layers.push(BUILDPACK_CURL);
  if (set === 'buildpack-scm' || set === 'buildpack-deps') layers.push(BUILDPACK_SCM);
  if (set === 'buildpack-deps') layers.push(BUILDPACK_DEPS);
  for (const names of layers) {
    have = new Set([...have, ...installClosure(index, have, names, true).added.map((p) => p.name)]);
  }
  minbaseCache.set(key, have);
  return have;
}

// docker-library/buildpack-deps debian/bookworm/curl/Dockerfile @4f0449f7
const BUILDPACK_CURL = ['ca-certificates', 'curl', 'gnupg', 'netbase', 'sq', 'wget'];
// docker-library/buildpack-deps debian/bookworm/scm/Dockerfile @3b4b1fb8
const BUILDPACK_SCM = ['git', 'git-lfs', 'mercurial', 'openssh-client', 'subversion', 'procps'];
// docker-library/buildpack-deps debian/bookworm/Dockerfile @84e7e460
const BUILDPACK_DEPS = [
  'autoconf',
  'automake',
  'bzip2',
  'dpkg-dev',
  'file',
  'g++',
  'gcc',
  'imagemagick',
  'libbz2-dev',
  'libc6-dev',
  'libcurl4-openssl-dev',
  'libdb-dev',
  'libevent-dev',
  'libffi-dev',
  'libgdbm-dev',
  'libglib2.0-dev',
  'libgmp-dev',
  'libjpeg-dev',
  'libkrb5-dev',
  'liblzma-dev',
  'libmagickcore-dev',
  'libmagickwand-dev',
  'libmaxminddb-dev',
  'libncurses5-dev',
  'libncursesw5-dev',
  'libpng-dev',
  'libpq-dev',
  'libreadline-dev',
  'libsqlite3-dev',
  'libssl-dev',
  'libtool',
  'libwebp-dev',
  'libxml2-dev',
  'libxslt-dev',
  'libyaml-dev',
  'make',
  'patch',
  'unzip',
  'xz-utils',
  'zlib1g-dev',
  'default-libmysqlclient-dev',
];
