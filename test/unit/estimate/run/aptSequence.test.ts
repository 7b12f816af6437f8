// What a RUN's apt commands leave installed, in order (server/src/analysis/estimate/run/aptSequence.ts), over the
// bundled Debian bookworm index and the packages of the official debian:bookworm image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownBasePackages } from '../../../../server/src/analysis/estimate/debian';
import { debianIndex } from '../../../../server/src/analysis/estimate/debianTable';
import { applyAptOps, type AptOp } from '../../../../server/src/analysis/estimate/run/aptSequence';

const index = debianIndex('bookworm');
const base = (): Set<string> => new Set(knownBasePackages('bookworm', 'minbase'));
const install = (names: string[]): AptOp => ({
  kind: 'install',
  install: { packages: names, noRecommends: true, unreadable: [] },
});
const purge = (names: string[], autoRemove = true, recommendsImportant = true): AptOp => ({
  kind: 'remove',
  remove: { packages: names, autoRemove, recommendsImportant, unreadable: [] },
});
const mark = (manual: boolean, names: string[], all = false, words: string[] = []): AptOp => ({
  kind: 'mark',
  mark: { manual, packages: names, all, words },
});
const names = (o: ReturnType<typeof applyAptOps>): string[] => o.kept.map((p) => p.name).sort();

test('installed then purged with --auto-remove: nothing this RUN installed stays, and the image is as before', () => {
  assert.ok(index);
  const have = base();
  const before = have.size;
  const o = applyAptOps([install(['gcc', 'libc6-dev']), purge(['gcc', 'libc6-dev'])], index, have);
  assert.ok(o.installed > 20, `gcc brings its toolchain (${o.installed})`);
  assert.deepEqual(names(o), []);
  assert.equal(have.size, before);
  assert.ok(o.removedAny);
});

test('a purge without --auto-remove leaves the dependencies; a later autoremove takes them', () => {
  assert.ok(index);
  const kept = applyAptOps([install(['gcc']), purge(['gcc'], false)], index, base());
  assert.ok(kept.kept.length > 10 && !names(kept).includes('gcc'));
  const gone = applyAptOps([install(['gcc']), purge(['gcc'], false), purge([], true)], index, base());
  assert.deepEqual(names(gone), []);
});

test('what a manual package still needs stays: curl keeps the libraries it shares with git', () => {
  assert.ok(index);
  const o = applyAptOps([install(['curl', 'git']), purge(['git'])], index, base());
  assert.ok(names(o).includes('curl') && names(o).includes('libcurl4'));
  assert.ok(!names(o).includes('git') && !names(o).includes('git-man'));
  const curlAlone = applyAptOps([install(['curl'])], index, base());
  assert.deepEqual(names(o), names(curlAlone));
});

test('removing a library removes what depends on it', () => {
  assert.ok(index);
  const o = applyAptOps([install(['curl']), purge(['libcurl4'], false)], index, base());
  assert.ok(!names(o).includes('curl'), 'curl depends on libcurl4');
});

test('the official images’ apt-mark pattern: what was manual before stays, the rest of the RUN goes', () => {
  assert.ok(index);
  const saved = '\u0000apt-mark-showmanual#0';
  const pattern = (extra: AptOp[]): AptOp[] => [
    { kind: 'save', mark: saved },
    install(['ca-certificates', 'gnupg', 'wget']),
    mark(false, [], true),
    mark(true, [], false, [saved]),
    ...extra,
    purge([], true, false),
  ];
  assert.deepEqual(names(applyAptOps(pattern([]), index, base())), []);
  // a package marked manual again stays, with what it depends on
  const xz = applyAptOps(pattern([mark(true, ['wget'])]), index, base());
  assert.ok(names(xz).includes('wget') && !names(xz).includes('gnupg'));
  // marked manual from a variable not known here: what stays cannot be told; nothing is taken away (an upper bound)
  const unknown = applyAptOps(pattern([mark(true, [], false, ['$RUNTIME_DEPS'])]), index, base());
  assert.match(unknown.uncertain ?? '', /\$RUNTIME_DEPS/);
  assert.ok(names(unknown).includes('gnupg'));
});

test('Recommends keep packages unless APT::AutoRemove::RecommendsImportant=false', () => {
  assert.ok(index);
  const withRecs: AptOp = { kind: 'install', install: { packages: ['curl'], noRecommends: false, unreadable: [] } };
  const ops = (important: boolean): AptOp[] => [
    withRecs,
    mark(false, [], true),
    mark(true, ['curl']),
    purge([], true, important),
  ];
  const kept = applyAptOps(ops(true), index, base());
  const dropped = applyAptOps(ops(false), index, base());
  assert.ok(names(kept).length > names(dropped).length, 'curl recommends ca-certificates and publicsuffix');
  assert.ok(names(dropped).includes('curl'));
});

test('a purge of a package of an earlier layer takes it off the image’s list (its bytes stay below)', () => {
  assert.ok(index);
  const have = base();
  have.add('curl');
  const o = applyAptOps([purge(['curl'], false)], undefined, have);
  assert.ok(!have.has('curl'));
  assert.deepEqual(o.kept, []);
  assert.equal(o.installed, 0);
});
