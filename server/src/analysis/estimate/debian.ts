// Debian's package indexes as the apt-get estimator needs them: Installed-Size, Depends (+Pre-Depends),
// Recommends and Provides of every package of a suite, decoded once from the bundled table that
// scripts/gen-debian-packages.mjs generates (see that script for what is kept and why it is this size).
// Also: the packages an official image already has, so that an install only counts what it adds.

import { brotliDecompressSync } from 'node:zlib';
import bundled from './data/debian-packages.json';

export type Suite = 'bookworm' | 'trixie';
export const SUITES: readonly Suite[] = ['bookworm', 'trixie'];

export interface DebPackage {
  name: string;
  /** Installed-Size in KiB. */
  kib: number;
  /** Depends + Pre-Depends: groups of alternatives. */
  depends: string[][];
  recommends: string[][];
  required: boolean;
  important: boolean;
  essential: boolean;
}

export interface DebIndex {
  suite: Suite;
  /** Date of the suite's Release file the table was made from. */
  indexDate: string;
  /** A package by name (parsed on first use). */
  get(name: string): DebPackage | undefined;
  has(name: string): boolean;
  /** Virtual package -> real packages that provide it. */
  providers: Map<string, string[]>;
  /** Packages with Priority: required or Essential: yes. */
  required: string[];
}

interface BundledMeta {
  generated: string;
  suites: Record<string, { indexDate: string; source: string; packages: number }>;
  data: string;
}

let sections: Map<Suite, string> | null = null;
let names: string[] = [];
const decoded = new Map<Suite, DebIndex | null>();

/** The package index of a suite (decoded on first use, once per process; only the suite asked for is parsed). */
export function debianIndex(suite: Suite): DebIndex | null {
  if (decoded.has(suite)) return decoded.get(suite) ?? null;
  if (!sections) sections = split(bundled as BundledMeta);
  const text = sections.get(suite);
  const index = text === undefined ? null : parseSection(suite, text, bundled as BundledMeta);
  decoded.set(suite, index);
  return index;
}

function split(meta: BundledMeta): Map<Suite, string> {
  const out = new Map<Suite, string>();
  let text: string;
  try {
    text = brotliDecompressSync(Buffer.from(meta.data, 'base64')).toString('utf8');
  } catch {
    return out;
  }
  const blank = text.indexOf('\n\n');
  names = text.slice(0, blank).split('\n');
  for (const section of text.slice(blank + 2).split('\n\n')) {
    const nl = section.indexOf('\n');
    const suite = section.slice(0, nl).replace(/^#/, '') as Suite;
    if (SUITES.includes(suite)) out.set(suite, section.slice(nl + 1));
  }
  return out;
}

function parseSection(suite: Suite, section: string, meta: BundledMeta): DebIndex {
  // Lines are kept as strings and parsed when a package is first asked for: parsing all ~50k up front costs
  // seconds of allocation for relations nobody looks at.
  const nameOf = (id: string) => names[parseInt(id, 36)] ?? id;
  const rel = (s: string): string[][] => (s ? s.split(',').map((g) => g.split('|').map(nameOf)) : []);
  const lines = section.split('\n');
  const raw = new Map<string, string>();
  const providers = new Map<string, string[]>();
  const required: string[] = [];
  for (const line of lines) {
    const t1 = line.indexOf('\t');
    if (t1 < 0) continue;
    const name = nameOf(line.slice(0, t1));
    raw.set(name, line);
    const t5 = line.lastIndexOf('\t');
    const t4 = line.lastIndexOf('\t', t5 - 1);
    if (t5 + 1 < line.length && /[re]/.test(line.slice(t5 + 1))) required.push(name);
    if (t5 > t4 + 1) {
      for (const group of rel(line.slice(t4 + 1, t5))) for (const v of group) {
        const list = providers.get(v);
        if (list) list.push(name);
        else providers.set(v, [name]);
      }
    }
  }
  const parsed = new Map<string, DebPackage>();
  const get = (name: string): DebPackage | undefined => {
    const hit = parsed.get(name);
    if (hit) return hit;
    const line = raw.get(name);
    if (line === undefined) return undefined;
    const [, kib, deps, recs, , flags = ''] = line.split('\t');
    const pkg: DebPackage = {
      name, kib: Number(kib) || 0, depends: rel(deps), recommends: rel(recs),
      required: flags.includes('r'), important: flags.includes('i'), essential: flags.includes('e'),
    };
    parsed.set(name, pkg);
    return pkg;
  };
  return { suite, indexDate: meta.suites[suite]?.indexDate ?? meta.generated, get, has: (n) => raw.has(n), providers, required };
}

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
  index: DebIndex, installed: ReadonlySet<string>, names: string[], noRecommends: boolean, prefer: ReadonlySet<string> = new Set(),
): Closure {
  const added: DebPackage[] = [];
  const unknown: string[] = [];
  // what is installed so far: the given set plus what this closure adds (no copy of the given set: a RUN per
  // line of a 5,000-line file would copy the base image's package list each time)
  const adding = new Set<string>();
  const have = { has: (n: string): boolean => adding.has(n) || installed.has(n), add: (n: string): void => void adding.add(n) };
  const resolve = (name: string): string | null => {
    if (index.has(name)) return name;
    const provs = index.providers.get(name);
    if (!provs?.length) return null;
    return provs.find((p) => have.has(p)) ?? provs.find((p) => prefer.has(p)) ?? provs[0];
  };
  const pickGroup = (group: string[]): string | null => {
    for (const alt of group) {
      if (have.has(alt)) return null;
      const provs = index.providers.get(alt);
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
  'autoconf', 'automake', 'bzip2', 'dpkg-dev', 'file', 'g++', 'gcc', 'imagemagick', 'libbz2-dev', 'libc6-dev',
  'libcurl4-openssl-dev', 'libdb-dev', 'libevent-dev', 'libffi-dev', 'libgdbm-dev', 'libglib2.0-dev', 'libgmp-dev',
  'libjpeg-dev', 'libkrb5-dev', 'liblzma-dev', 'libmagickcore-dev', 'libmagickwand-dev', 'libmaxminddb-dev',
  'libncurses5-dev', 'libncursesw5-dev', 'libpng-dev', 'libpq-dev', 'libreadline-dev', 'libsqlite3-dev', 'libssl-dev',
  'libtool', 'libwebp-dev', 'libxml2-dev', 'libxslt-dev', 'libyaml-dev', 'make', 'patch', 'unzip', 'xz-utils',
  'zlib1g-dev', 'default-libmysqlclient-dev',
];
