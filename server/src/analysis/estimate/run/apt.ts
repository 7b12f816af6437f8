// RUN steps: what apt-get install (Debian family) adds to a layer. Installed-Size of the named packages plus the
// dependencies (and Recommends, unless --no-install-recommends) that the base and earlier steps of the stage do not
// have yet, from Debian's index for the base's suite (../debian.ts), less what the same RUN purges or autoremoves
// again (./aptSequence.ts). The official debian/ubuntu images carry
// /etc/apt/apt.conf.d/docker-clean, so no .deb files or pkgcache.bin stay behind. On top of the packages each
// install rewrites dpkg's and apt's state (status database, info files, debconf cache, logs: APT_STATE_OVERHEAD),
// and an `apt-get update` whose lists are not removed in the same RUN leaves the suite's package lists in the layer
// (APT_LISTS_BYTES).
// Also: which Debian suite stands for a base image, and which package set that image starts with.

import type { Step } from '../../model';
import type { BaseImageInfo } from '../baseImages';
import { knownBasePackages, type BasePackageSet } from '../debian';
import { debianIndex, debianIndexDate, type Suite } from '../debianTable';
import type { StageState } from '../stage';
import { applyAptOps, type AptOutcome } from './aptSequence';
import type { Estimate, RunCommands } from './read';

/** For Debian/Ubuntu bases: the Debian suite whose index we use, why, and what the base already has. */
export interface DebianFlavour {
  suite: Suite;
  why: string;
  set: BasePackageSet;
  docsExcluded: boolean;
}

/** Which Debian index stands for this base, and which package set it starts with. */
export function debianFlavour(info: BaseImageInfo, row: string, ref: string): DebianFlavour | null {
  if (info.family !== 'debian' && info.family !== 'ubuntu') return null;
  const { suite, why } = debianSuite(info, row, ref);
  const repo = row.replace(/:[^]*$/, '');
  const tag = row.slice(repo.length + 1);
  let set: BasePackageSet = 'minbase';
  if (['node', 'python', 'golang', 'ruby', 'rust'].includes(repo) && !/slim|alpine/.test(tag)) set = 'buildpack-deps';
  else if (repo === 'mcr.microsoft.com/dotnet/sdk') set = 'buildpack-scm';
  // -slim Debian images (and the images built on them) and Ubuntu's minimized images tell dpkg not to unpack
  // documentation, man pages and translations
  const docsExcluded =
    /slim/.test(`${ref} ${tag}`) || info.family === 'ubuntu' || ['php', 'nginx', 'httpd'].includes(repo);
  return { suite, why, set, docsExcluded };
}

/** The bundled Debian suite nearest to a Debian/Ubuntu base, and why it was chosen. */
function debianSuite(info: BaseImageInfo, row: string, ref: string): { suite: Suite; why: string } {
  const text = `${ref} ${row}`.toLowerCase();
  if (/bookworm|bullseye|buster/.test(ref.toLowerCase()))
    return {
      suite: 'bookworm',
      why: /bookworm/.test(ref) ? 'bookworm' : 'bookworm (nearest bundled index for an older Debian release)',
    };
  if (/trixie/.test(ref.toLowerCase())) return { suite: 'trixie', why: 'trixie' };
  if (info.family === 'ubuntu') {
    const suite = /jammy|22\.04|focal|20\.04/.test(text) ? 'bookworm' : 'trixie';
    return { suite, why: `${suite} (Ubuntu's index is not bundled: Debian ${suite} stands in for it)` };
  }
  if (/bookworm/.test(text)) return { suite: 'bookworm', why: 'bookworm' };
  return { suite: 'trixie', why: 'trixie' };
}

// Calibration, from real builds on Debian images made like the official ones (debootstrap minbase plus
// debuerreotype's docker-clean, docker-gzip-indexes, docker-no-languages and, for -slim, its path-excludes;
// test/engine/estimate-accuracy.test.ts). Fitting measured = a x Installed-Size + b over curl and git installs:
/**
 * b: what an install leaves besides the packages' files: dpkg's status database (rewritten whole: copy-up), its info
 * files, debconf's cache, apt's extended_states, the logs, ld.so.cache, certificates made by postinst scripts.
 */
export const APT_STATE_OVERHEAD = 1_400_000;
/** a on -slim/Ubuntu bases: the share of Installed-Size left when documentation, man pages and locales are excluded. */
export const DOCS_EXCLUDED_FACTOR = 0.9;
/** .pyc files python3's postinst byte-compiles: x Installed-Size of the python3 packages (not the -whl ones). */
export const PYC_FACTOR = 0.55;
/** /var/lib/apt/lists after `apt-get update` (main + updates + security, kept compressed by docker-gzip-indexes). */
export const APT_LISTS_BYTES: Record<Suite, number> = { bookworm: 19_860_000, trixie: 21_660_000 };

/**
 * aptEstimate, kept per Step for the common case of an install that adds nothing new (every package already in the
 * image: the estimate then depends only on the step, the base and how many packages the image has, and changes no
 * state). On a long file most RUNs re-install what an earlier one did. `keep`: the result may be kept (not for a
 * trial of one branch, not when the RUN removes packages, which changes the state).
 */
export function aptEstimateOf(step: Step, state: StageState, run: RunCommands, keep: boolean): Estimate {
  const d = state.debian;
  if (!state.base || !d) return aptEstimate(state, run, false);
  const installed = aptInstalledOf(state, d);
  // the suite's table (3 MB) is read only when an install names a package the image does not have yet
  if (run.aptInstalls.some((inst) => inst.packages.some((p) => !installed.has(p))))
    return aptEstimate(state, run, true);
  if (!keep || run.aptOps.some((op) => op.kind === 'remove')) return aptEstimate(state, run, false);
  const key = `${state.base.ref}\u0000${state.base.family}\u0000${d.suite}\u0000${d.why}\u0000${d.set}\u0000${d.docsExcluded}\u0000${installed.size}`;
  const kept = aptKept.get(step);
  if (kept?.key === key) return kept.result;
  const result = aptEstimate(state, run, false);
  aptKept.set(step, { key, result });
  return result;
}

const aptKept = new WeakMap<Step, { key: string; result: Estimate }>();

/** The packages the stage's image has so far: its base's set until a RUN adds more. */
function aptInstalledOf(state: StageState, d: DebianFlavour): Set<string> {
  return (state.aptInstalled ??= new Set(knownBasePackages(d.suite, d.set)));
}

/** `needsTable`: some install names a package the image does not have (else nothing is added, no table needed). */
function aptEstimate(state: StageState, run: RunCommands, needsTable: boolean): Estimate {
  const base = state.base;
  if (!base)
    return {
      bytes: null,
      text: `apt-get on an unknown base image (${state.baseRef ?? '?'}): cannot tell which packages it already has`,
    };
  if (base.family === 'alpine')
    return { bytes: null, text: 'apt-get on an Alpine base: there is no apt there (the step fails)' };
  const d = state.debian;
  if (!d) return { bytes: null, text: `apt-get on ${base.ref} (${base.family}): no package index for it` };
  const installed = aptInstalledOf(state, d);
  const index = needsTable ? debianIndex(d.suite) : undefined;
  if (index === null)
    return {
      bytes: null,
      text: `no Debian ${d.suite} package table: its file (data/debian-${d.suite}.bin.br) is missing or damaged`,
    };
  const outcome = applyAptOps(run.aptOps, index, installed);
  let bytes = 0;
  const text: string[] = [];
  if (run.aptInstalls.length || outcome.removedAny) {
    const part = installsSize(d, outcome, installed.size);
    bytes += part.bytes;
    text.push(...part.text);
  }
  const { aptUpdate: update, listsRemoved, listsInCacheMount } = run;
  if (update && !listsRemoved && !listsInCacheMount) {
    bytes += APT_LISTS_BYTES[d.suite];
    text.push(
      `${run.aptInstalls.length ? '+ ' : ''}${(APT_LISTS_BYTES[d.suite] / 1e6).toFixed(1)} MB of Debian ${d.suite} apt lists left by apt-get update (not removed in this RUN; measured)`,
    );
  } else if (update && !run.aptInstalls.length) {
    text.push('apt-get update whose lists are removed in the same RUN');
  }
  if (base.family === 'ubuntu' || d.set !== 'minbase') text.push(`base package set: ${d.set}`);
  if (outcome.unknown.length) text.push(`not in the index (not counted): ${outcome.unknown.join(', ')}`);
  if (outcome.unreadable.length) text.push(`not read: ${outcome.unreadable.join(' ')}`);
  return { bytes, text: text.join(' ') };
}

/**
 * The bytes of the packages the RUN leaves, with their .pyc and dpkg/apt state (rewritten whenever it installs or
 * removes anything); `installedNow`: the image's packages after.
 */
function installsSize(d: DebianFlavour, o: AptOutcome, installedNow: number): { bytes: number; text: string[] } {
  let kib = 0;
  let pyKib = 0;
  for (const p of o.kept) {
    kib += p.kib;
    if (/^(lib)?python3/.test(p.name) && !p.name.endsWith('-whl')) pyKib += p.kib;
  }
  const count = o.kept.length;
  const docs = d.docsExcluded;
  let bytes = kib * 1024 * (docs ? DOCS_EXCLUDED_FACTOR : 1);
  const gone = o.installed - count;
  const text = [
    `Installed-Size of ${count} Debian ${d.why} package${count === 1 ? '' : 's'} (index ${debianIndexDate(d.suite)})` +
      `${o.withRecs ? ' with their Recommends' : ''}, not counting the ${installedNow - count} the image already has`,
  ];
  if (gone > 0) text.push(`(${gone} more installed and removed again in this RUN: not counted)`);
  if (o.uncertain)
    text.push(`(at most: ${o.uncertain}, so what apt's autoremove takes away is not counted; an upper bound)`);
  if (docs && count > 0) text.push(`x ${DOCS_EXCLUDED_FACTOR} (the image does not unpack docs, man pages, locales)`);
  if (pyKib > 0) {
    bytes += pyKib * 1024 * PYC_FACTOR;
    text.push(`+ ${((pyKib * 1024 * PYC_FACTOR) / 1e6).toFixed(1)} MB of .pyc byte-compiled at install`);
  }
  if (o.installed > 0 || o.removedAny) {
    bytes += APT_STATE_OVERHEAD;
    text.push(`+ ${(APT_STATE_OVERHEAD / 1e6).toFixed(1)} MB dpkg/apt state rewritten by the install`);
  }
  return { bytes, text };
}
