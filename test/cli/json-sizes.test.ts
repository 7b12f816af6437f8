// The size estimates in the CLI's JSON output (`analyze --format json`, server/src/report/json.ts): every layer's
// size with its basis, the image total of the final stage, and a missing size as null, with the reason in the
// analysis and the hover. Runs the compiled out/server/src/cli.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { stepHover } from '../../server/src/report/describe';
import { toText } from '../../server/src/report/text';
import { fixture, fixtureContext, repoRoot, sizeOf } from '../unit/estimate/helpers';

interface JsonStep {
  line: number;
  instruction: string;
  size: { bytes: number; source: string; basis: string; lowerBound: boolean } | null;
}

function analyzeJson(
  dockerfile: string,
  context: string,
): { steps: JsonStep[]; image: { bytes: number; source: string; complete: boolean; note?: string } | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-est-'));
  try {
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, dockerfile);
    const cli = path.join(repoRoot(), 'out', 'server', 'src', 'cli.js');
    const out = execFileSync(process.execPath, [cli, 'analyze', '--format', 'json', '--context', context, file], {
      encoding: 'utf8',
    });
    return JSON.parse(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the CLI JSON gives estimated sizes with their basis, and the image total of the final stage', () => {
  const ctx = fixture('estimate-context');
  const r = analyzeJson(
    [
      'FROM node:22-bookworm-slim AS build',
      'WORKDIR /app',
      'COPY app ./app',
      'FROM debian:bookworm-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'COPY --from=build /app/app /srv',
      'CMD ["curl"]',
    ].join('\n') + '\n',
    ctx,
  );
  const at = (line: number) => r.steps.find((s) => s.line === line);
  for (const line of [1, 3, 4, 5, 6]) {
    const s = at(line)?.size;
    assert.ok(s, `line ${line} has a size`);
    assert.equal(s.source, 'estimate');
    assert.ok(s.basis.length > 10, `line ${line} says what its number rests on`);
  }
  assert.equal(at(3)?.size?.bytes, sizeOf(ctx, ['app/main.js', 'app/util.js', 'app/nested/deep.js']));
  assert.match(at(5)?.size?.basis ?? '', /Installed-Size of \d+ Debian bookworm packages \(index \d{4}-\d\d-\d\d\)/);
  assert.equal(at(7)?.size, null, 'CMD makes no layer');
  // the build stage does not reach the final image: its node base is not in the total
  const finalStage = [4, 5, 6].reduce((n, line) => n + (at(line)?.size?.bytes ?? 0), 0);
  assert.deepEqual(r.image, { bytes: finalStage, source: 'estimate', complete: true });
});

test('a missing size stays null in the JSON contract; the analysis and the hover say why', async () => {
  const text = 'FROM debian:bookworm-slim\nRUN ./build.sh\nFROM mycorp/app-base:3\nCOPY README.md /\n';
  const r = analyzeJson(text, fixture('estimate-context'));
  assert.equal(r.steps.find((s) => s.line === 2)?.size, null);
  assert.equal(r.steps.find((s) => s.line === 3)?.size, null);
  // the final stage's base is unknown: the total holds only what is known (the README), never a guess
  assert.deepEqual(r.image, {
    bytes: sizeOf(fixture('estimate-context'), ['README.md']),
    source: 'estimate',
    complete: false,
    unknownBase: 'mycorp/app-base:3',
    note: 'base mycorp/app-base:3 unknown',
  });
  const a = analyze(text, { context: await fixtureContext('estimate-context') });
  const from = a.steps.find((s) => s.step.line === 3);
  assert.ok(from);
  assert.match(from.sizeNote ?? '', /unknown base image mycorp\/app-base:3/);
  assert.match(stepHover(a, from), /Layer size:\*\* unknown \(unknown base image mycorp\/app-base:3/);
  // the text headline says the total is at least this much, and why
  assert.match(
    toText('Dockerfile', a, { color: false }),
    /^Dockerfile {2}image ≥ [\d.]+ [kM]?B \(estimate; base mycorp\/app-base:3 unknown\)/,
  );
  const run = a.steps.find((s) => s.step.line === 2);
  assert.match(run?.sizeNote ?? '', /build\.sh/);
});

test('a RUN that installs with apt and also runs a script is a lower bound: ≥ in text, lowerBound in JSON', () => {
  const text = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl && ./build.sh\n';
  const r = analyzeJson(text, fixture('estimate-context'));
  const run = r.steps.find((s) => s.line === 2);
  assert.ok(run?.size && run.size.bytes > 1_000_000, JSON.stringify(run));
  assert.equal(run.size.lowerBound, true);
  assert.match(run.size.basis, /build\.sh/);
  assert.equal(r.steps.find((s) => s.line === 1)?.size?.lowerBound, false, 'the base table row is exact');
  assert.equal(r.image?.complete, false);
  assert.match(r.image?.note ?? '', /^line 2 is a lower bound$/);
  const a = analyze(text, { context: undefined });
  const shown = toText('Dockerfile', a, { color: false });
  assert.match(shown, /^Dockerfile {2}image ≥ [\d.]+ MB \(estimate; line 2 is a lower bound\)/);
  assert.match(shown, /RUN apt-get .*≥ [\d.]+ MB/);
});

test('an unknown base with nothing else sized: the headline says the size is unknown, never "≥ 0 B"', () => {
  const a = analyze('FROM mycorp/base:1\nENV A=1\nRUN true\n', {});
  assert.equal(a.image?.complete, false);
  assert.equal(a.image?.bytes, 0);
  const first = toText('Dockerfile', a, { color: false }).split('\n')[0];
  assert.equal(first, 'Dockerfile  image size unknown (estimate; base mycorp/base:1 unknown)');
});
