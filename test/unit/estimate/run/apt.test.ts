// What apt-get install and update add to a RUN layer (server/src/analysis/estimate/run/apt.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
