// What apt-get install and update add to a RUN layer (server/src/analysis/estimate/run/apt.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../../server/src/analysis/analyze';
import { stepsAt } from '../helpers';

test('an apt-get install layer: Installed-Size of the new packages, with the index date in the basis', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
  );
  const size = at(2).size;
  assert.ok(size);
  assert.equal(size.source, 'estimate');
  assert.match(size.basis, /Installed-Size of 16 Debian bookworm packages \(index \d{4}-\d\d-\d\d\)/);
  assert.ok(size.bytes > 5e6 && size.bytes < 30e6, `curl with its libraries is ~12 MB, got ${size.bytes}`);
  assert.doesNotMatch(size.basis, /apt lists/);
});

test('Recommends add up, lists kept add their size, later installs reuse earlier ones', () => {
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends git',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl',
      'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
    ].join('\n'),
  );
  const noRec = at(2).size?.bytes ?? 0;
  const recAfter = at(3).size?.bytes ?? 0;
  const rec = at(5).size?.bytes ?? 0;
  const listsKept = at(7).size?.bytes ?? 0;
  const gitAfterCurl = at(10).size?.bytes ?? 0;
  assert.ok(rec > noRec, 'Recommends add packages');
  assert.ok(recAfter < rec, 'git already installed: only the recommends are new');
  assert.match(at(5).size?.basis ?? '', /with their Recommends/);
  assert.ok(listsKept > noRec, 'lists not removed stay in the layer');
  assert.match(at(7).size?.basis ?? '', /apt lists left by apt-get update/);
  assert.ok(gitAfterCurl < noRec, 'curl already brought libcurl dependencies');
});

test('trixie bases use the trixie index; a FROM <stage> keeps what that stage installed', () => {
  const at = stepsAt(
    [
      'FROM debian:trixie-slim AS base',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'FROM base',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ].join('\n'),
  );
  assert.match(at(2).size?.basis ?? '', /Debian trixie packages/);
  assert.equal(at(3).size?.bytes, 0);
  assert.match(at(3).size?.basis ?? '', /stage base/);
  assert.match(at(4).size?.basis ?? '', /Installed-Size of 0 Debian trixie packages/);
});

test('apt on an unknown base or on Alpine has no estimate, and says why', () => {
  const at = stepsAt(
    'FROM mycorp/base:1\nRUN apt-get update && apt-get install -y curl\nFROM alpine:3.24\nRUN apt-get install -y curl\n',
  );
  assert.equal(at(1).size, null);
  assert.match(at(1).sizeNote ?? '', /unknown base image mycorp\/base:1/);
  assert.equal(at(2).size, null);
  assert.match(at(2).sizeNote ?? '', /unknown base image/);
  assert.equal(at(4).size, null);
  assert.match(at(4).sizeNote ?? '', /Alpine/);
});

test('packages the index does not know are named in the basis', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl not-a-package-xyz && rm -rf /var/lib/apt/lists/*\n',
  );
  assert.match(at(2).size?.basis ?? '', /not in the index \(not counted\): not-a-package-xyz/);
});

test('a RUN that installs and purges again counts what it leaves, not what it installed', () => {
  const install =
    "apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && echo 'int main(){return 0;}' > /tmp/a.c && gcc /tmp/a.c -o /usr/local/bin/a";
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      `RUN ${install} && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/* /tmp/a.c`,
      'RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*',
      'FROM debian:bookworm-slim',
      `RUN ${install} && rm -rf /var/lib/apt/lists/* /tmp/a.c`,
    ].join('\n'),
  );
  const purged = at(2).size;
  assert.ok(purged && purged.bytes < 2e6, `dpkg's state only, got ${purged?.bytes}`);
  assert.match(
    purged.basis,
    /Installed-Size of 0 Debian bookworm packages .*\(\d+ more installed and removed again in this RUN: not counted\)/,
  );
  assert.ok((at(5).size?.bytes ?? 0) > 100e6, 'the same install without the purge keeps the toolchain');
  assert.ok((at(3).size?.bytes ?? 0) > 50e6, 'gcc is gone from the image: installing it again counts it');
});

test('the official images’ apt-mark pattern leaves what was manual before; an unknown mark gives an upper bound', () => {
  const pattern = (manual: string) =>
    [
      'RUN set -eux; savedAptMark="$(apt-mark showmanual)"; apt-get update;',
      'apt-get install -y --no-install-recommends ca-certificates gnupg wget;',
      `apt-mark auto '.*' > /dev/null; [ -z "$savedAptMark" ] || apt-mark manual ${manual} > /dev/null;`,
      'apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; rm -rf /var/lib/apt/lists/*',
    ].join(' ');
  const at = stepsAt(
    [
      'FROM debian:bookworm-slim',
      pattern('$savedAptMark'),
      'FROM debian:bookworm-slim',
      pattern('$savedAptMark $RUNTIME'),
    ].join('\n'),
  );
  assert.ok((at(2).size?.bytes ?? Infinity) < 2e6, `only dpkg's state stays, got ${at(2).size?.bytes}`);
  assert.doesNotMatch(at(2).size?.basis ?? '', /apt-mark write/, 'apt-mark is not an unknown writer');
  const bound = at(4).size;
  assert.ok(bound && bound.bytes > 10e6, 'nothing taken away when the list is not known');
  assert.match(bound.basis, /at most: apt-mark manual \$RUNTIME: which packages that names is not known here/);
});

test('apt lists count when an update comes after their removal in the same RUN', () => {
  const at = stepsAt(
    'FROM debian:bookworm-slim\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends curl\n',
  );
  assert.match(at(2).size?.basis ?? '', /apt lists left by apt-get update/);
});

test('an install in a branch a build arg leaves off counts nothing; with --build-arg, or undecided, it counts', () => {
  const text = [
    'FROM debian:bookworm-slim',
    'ARG GPU',
    'RUN if [ -n "$GPU" ]; then apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*; fi',
    'RUN if [ -f /etc/gpu ]; then apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*; fi',
  ].join('\n');
  const off = analyze(text).steps.find((s) => s.step.line === 3)?.size;
  assert.equal(off?.bytes, 0);
  assert.match(off?.basis ?? '', /branches decided for linux\/amd64 .*`if \[ -n "\$GPU" \]` → no branch/);
  const on = analyze(text, {}, { buildArgs: { GPU: '1' } }).steps.find((s) => s.step.line === 3)?.size;
  assert.ok((on?.bytes ?? 0) > 50e6);
  const undecided = analyze(text).steps.find((s) => s.step.line === 4)?.size;
  assert.ok((undecided?.bytes ?? 0) > 50e6, 'the largest branch');
  assert.match(
    undecided?.basis ?? '',
    /cannot be decided before the build, so the largest branch is counted: `if \[ -f \/etc\/gpu \]` \(then\)/,
  );
});

test('a case on the architecture counts the branch of the target platform', () => {
  const run = [
    'RUN arch="$(dpkg --print-architecture)"; case "$arch" in',
    'amd64) apt-get update; apt-get install -y --no-install-recommends xz-utils ;;',
    'arm64) apt-get update; apt-get install -y --no-install-recommends gcc ;;',
    'esac; rm -rf /var/lib/apt/lists/*',
  ].join(' ');
  const amd = stepsAt(`FROM debian:bookworm-slim\n${run}\n`)(2).size;
  const arm = stepsAt(`FROM --platform=linux/arm64 debian:bookworm-slim\n${run}\n`)(2).size;
  assert.ok(amd && amd.bytes < 5e6, `xz-utils alone, got ${amd?.bytes}`);
  assert.match(amd.basis, /`case "\$arch"` → amd64\)/);
  assert.ok(arm && arm.bytes > 50e6, `gcc on arm64, got ${arm?.bytes}`);
});
