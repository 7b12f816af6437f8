// Integration suite against a private dockerd: fixtures built with both builders, their history mapped to the
// Dockerfile lines (build-arg values as recorded), measured step sizes compared with what the Engine API's
// /images/{id}/history reports and with the bytes each line of a known writer writes (build-arg values expanded;
// every fixture lists those lines, so a check that stops matching fails), and wasted space checked on a Dockerfile
// that writes, overwrites and deletes files of known sizes.

import { after, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDockerfile } from '../../server/src/analysis/parse';
import type { MappedImage } from '../../server/src/analysis/image/map';
import { historyResult } from '../../server/src/lsp/history';
import {
  buildFixture,
  engineSuite,
  ensureDebian,
  fixturesDir,
  measureImage,
  type PlacedOutcome,
  type TestEngine,
} from './harness';

type MeasureResult = MappedImage;

const engineTest = engineSuite({ busybox: true });
const report: string[] = [];

after(() => {
  if (report.length > 0) console.log(report.join('\n'));
});

interface RawHistory {
  Id: string;
  CreatedBy: string;
  Size: number;
  Comment: string;
}

/** /images/{id}/history straight from the Engine API (newest first), independent of engine/history.ts. */
async function rawHistory(e: TestEngine, ref: string): Promise<RawHistory[]> {
  return new Promise((resolve, reject) => {
    e.docker.modem.dial(
      {
        path: `/images/${encodeURIComponent(ref)}/history`,
        method: 'GET',
        statusCodes: { 200: true, 404: 'no such image' },
      },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as RawHistory[])),
    );
  });
}

/** The keyword a CreatedBy stands for, read the simple way (an oracle independent of readCreatedBy). */
function keywordOf(createdBy: string): string {
  const nop = /#\(nop\)\s+([A-Z]+)/.exec(createdBy);
  if (nop) return nop[1];
  const first = /^([A-Z]+) /.exec(createdBy);
  if (first && first[1] !== 'RUN' && createdBy !== createdBy.toLowerCase()) return first[1];
  return 'RUN';
}

/** The values of the build args a build used: the Dockerfile's ARG defaults, overridden by the ones passed. */
function argValues(lines: string[], buildArgs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of lines) {
    const m = /^ARG ([A-Za-z_]\w*)=(\S*)$/.exec(line.trim());
    if (m) values[m[1]] = m[2];
  }
  return { ...values, ...buildArgs };
}

/** The build-arg names a line refers to ($NAME or ${NAME}). */
function argsUsed(text: string, values: Record<string, string>): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_]\w*)\}?/g)].map((m) => m[1]).filter((n) => n in values);
}

/** A line's text with the build args it refers to replaced by their values (the oracle's own expansion). */
function expand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, n: string) => values[n] ?? whole);
}

/** Checks that a history entry plausibly came from this raw Dockerfile line, built with these arg values. */
function assertEntryFitsLine(createdBy: string, rawLine: string, values: Record<string, string>, where: string): void {
  const words = rawLine.trim().split(/\s+/);
  const kw = words[0].toUpperCase();
  assert.equal(keywordOf(createdBy), kw, `${where}: "${createdBy}" should come from "${rawLine}"`);
  if (kw === 'RUN') {
    const cmd = rawLine.trim().slice(4).trim();
    assert.ok(createdBy.includes(cmd), `${where}: RUN text "${cmd}" not in "${createdBy}"`);
    // both builders record the value of each build arg in scope (`|2 COUNT=7 LABEL_VALUE=default /bin/sh -c ...`)
    for (const name of argsUsed(cmd, values))
      assert.ok(
        createdBy.includes(` ${name}=${values[name]} `),
        `${where}: ${name}=${values[name]} not in "${createdBy}"`,
      );
  } else if (kw === 'COPY' || kw === 'ADD') {
    const dest = words[words.length - 1];
    assert.ok(createdBy.includes(path.posix.basename(dest)), `${where}: destination ${dest} not in "${createdBy}"`);
  } else if (kw === 'ENV' || kw === 'LABEL') {
    const [key, value = ''] = words[1].split('=');
    assert.ok(createdBy.includes(key), `${where}: key ${key} not in "${createdBy}"`);
    // a value taken from a build arg is recorded expanded (LABEL fixture=$LABEL_VALUE -> LABEL fixture=default)
    if (argsUsed(value, values).length > 0)
      assert.ok(createdBy.includes(`${key}=${expand(value, values)}`), `${where}: ${key} expanded in "${createdBy}"`);
  } else if (kw === 'WORKDIR') {
    assert.ok(createdBy.includes(words[1]), `${where}: ${words[1]} not in "${createdBy}"`);
  }
}

/**
 * Bytes a line writes when it is one of the fixtures' simple writers, else null:
 * `RUN [mkdir [-p] DIR && ]dd if=/dev/zero of=F bs=B count=N` writes B*N bytes; `RUN echo "TEXT" > F` writes TEXT
 * and a newline. N and TEXT may refer to build args, so the size depends on their values.
 */
function writtenBytes(rawLine: string, values: Record<string, string>): number | null {
  const line = rawLine.trim();
  const dd = /^RUN (?:mkdir (?:-p )?\S+ && )?dd if=\/dev\/zero of=\S+ bs=(\d+) count=(\S+)$/.exec(line);
  if (dd) return Number(dd[1]) * Number(expand(dd[2], values));
  const echo = /^RUN echo "([^"\\`]*)" > \S+$/.exec(line);
  if (echo) return Buffer.byteLength(expand(echo[1], values)) + 1;
  return null;
}

interface Checked {
  result: MeasureResult;
  build: PlacedOutcome;
  raw: RawHistory[];
}

interface CheckOptions {
  buildArgs?: Record<string, string>;
  /** The lines whose measured bytes must equal what they write (writtenBytes): all of them, no more, no fewer. */
  sized: number[];
}

/** Builds a fixture, measures it and checks mapping and sizes against the raw history. */
async function buildAndCheck(
  e: TestEngine,
  fixture: string,
  builder: 'buildkit' | 'legacy',
  { buildArgs = {}, sized }: CheckOptions,
): Promise<Checked> {
  const dir = path.join(fixturesDir(), fixture);
  const tag = `fixture-${fixture}-${builder}:test`;
  const build = await buildFixture(e, dir, { builder, tag, buildArgs });
  const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const lines = text.split('\n');
  const model = parseDockerfile(text, { buildArgs, buildkit: builder === 'buildkit' });
  const result = await measureImage(e.docker, tag, model, { buildSteps: build.steps });
  const where = `${fixture}/${builder}`;
  assert.equal(result.measured.mismatch, undefined, `${where}: ${result.measured.mismatch}`);
  assert.equal(result.mapping.builder, builder, `${where}: builder detected`);
  const raw = await rawHistory(e, tag);
  const rawOldestFirst = [...raw].reverse();
  assert.equal(rawOldestFirst.length, result.mapping.entries.length);
  const values = argValues(lines, buildArgs);
  // every entry after the base maps to a Dockerfile line it came from
  for (const entry of result.mapping.entries) {
    if (entry.origin === 'base' || entry.origin === 'onbuild') continue;
    assert.equal(entry.origin, 'dockerfile', `${where}: entry ${entry.index} "${entry.createdBy}" is mapped`);
    assert.notEqual(entry.stepIndex, null);
    const step = model.steps[entry.stepIndex as number];
    assertEntryFitsLine(
      rawOldestFirst[entry.index].CreatedBy,
      lines[step.line - 1],
      values,
      `${where} line ${step.line}`,
    );
  }
  // each measured step's bytes equal the Size the Engine API reports for its entry, and what the line writes
  const sizedLines: number[] = [];
  for (const m of result.measured.steps) {
    const step = model.steps[m.stepIndex];
    if (step.keyword === 'FROM') {
      const base = result.mapping.entries.filter((x) => x.origin === 'base' || x.origin === 'onbuild');
      assert.equal(
        m.bytes,
        base.reduce((s, x) => s + rawOldestFirst[x.index].Size, 0),
        `${where}: FROM = base entries`,
      );
      continue;
    }
    const entry = result.mapping.entries.find((x) => x.stepIndex === m.stepIndex);
    assert.ok(entry, `${where}: line ${step.line} has an entry`);
    assert.equal(m.bytes, rawOldestFirst[entry.index].Size, `${where}: line ${step.line} bytes = docker history Size`);
    assert.equal(m.sizeKind, 'overlay2 on-disk, uncompressed');
    const written = writtenBytes(lines[step.line - 1], values);
    if (written === null) continue;
    assert.equal(m.bytes, written, `${where}: line ${step.line} writes ${written} bytes`);
    sizedLines.push(step.line);
  }
  assert.deepEqual(
    sizedLines.sort((x, y) => x - y),
    sized,
    `${where}: the lines whose written bytes were checked`,
  );
  // every layer-creating step of the target chain got a measurement, every RUN of it a build record
  for (const si of result.mapping.chain) {
    for (const i of model.stages[si].steps) {
      const s = model.steps[i];
      if (s.keyword === 'FROM' || s.keyword === 'ONBUILD') continue;
      assert.ok(
        result.measured.steps.some((m) => m.stepIndex === i),
        `${where}: line ${s.line} measured`,
      );
      if (s.keyword === 'RUN')
        assert.ok(
          build.steps.some((r) => r.stepIndex === i),
          `${where}: the RUN on line ${s.line} has a build record`,
        );
    }
  }
  for (const r of build.steps.filter((x) => x.stepIndex !== null))
    assert.equal(model.steps[r.stepIndex as number].line, r.line, `${where}: build record of line ${r.line}`);
  return { result, build, raw };
}

function table(title: string, c: Checked, fixture: string): void {
  const dir = path.join(fixturesDir(), fixture);
  const lines = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8').split('\n');
  const model = parseDockerfile(lines.join('\n'));
  const raw = [...c.raw].reverse();
  report.push(`\n# ${title}`, '# line | instruction | measured bytes | docker history bytes | cached | ms');
  for (const m of c.result.measured.steps) {
    const step = model.steps[m.stepIndex];
    const entry = c.result.mapping.entries.find((x) => x.stepIndex === m.stepIndex);
    const hist =
      step.keyword === 'FROM'
        ? c.result.mapping.entries.filter((x) => x.origin === 'base').reduce((s, x) => s + raw[x.index].Size, 0)
        : entry
          ? raw[entry.index].Size
          : NaN;
    report.push(
      `# ${step.line} | ${lines[step.line - 1].slice(0, 60)} | ${m.bytes} | ${hist} | ${m.cached ?? '-'} | ${m.durationMs ?? '-'}`,
    );
  }
}

// `sized`: the lines of the target's chain that write a known number of bytes (the build stage of multistage and
// the unrelated stage of chain are not in the image); in args, COUNT=7 makes them 7,000 and 12 bytes, not 10,000/13
const FIXTURES: ({ name: string } & CheckOptions)[] = [
  { name: 'basic', sized: [6] },
  { name: 'multistage', sized: [7] },
  { name: 'chain', sized: [2, 10] },
  { name: 'args', buildArgs: { COUNT: '7' }, sized: [6, 7] },
  { name: 'noop', sized: [4] },
];

// two builds at a time: the engine overlaps one build's container start-up with the other's work
describe('history mapping and sizes, both builders', { concurrency: 2 }, () => {
  for (const f of FIXTURES) {
    for (const builder of ['legacy', 'buildkit'] as const) {
      engineTest(`${f.name} (${builder})`, { timeout: 120_000 }, async (engine) => {
        const c = await buildAndCheck(engine, f.name, builder, f);
        if (f.name === 'multistage' && builder === 'buildkit')
          table('multistage (BuildKit): per-step sizes', c, f.name);
        if (f.name === 'multistage') {
          // only the final stage's chain is in the image: the build stage's 900 kB file is not
          const model = parseDockerfile(fs.readFileSync(path.join(fixturesDir(), 'multistage', 'Dockerfile'), 'utf8'));
          const unused = model.steps.find((s) => s.command.includes('unused.bin'));
          assert.ok(unused && !c.result.measured.steps.some((m) => m.stepIndex === unused.index));
        }
      });
    }
  }
});

describe('ONBUILD base', () => {
  for (const builder of ['legacy', 'buildkit'] as const) {
    engineTest(
      `triggers run after FROM and are not Dockerfile lines (${builder})`,
      { timeout: 120_000 },
      async (engine) => {
        await buildFixture(engine, path.join(fixturesDir(), 'onbuild-base'), { builder, tag: 'onbuild-base:fixture' });
        const c = await buildAndCheck(engine, 'onbuild', builder, { sized: [2] });
        const triggers = c.result.mapping.entries.filter((e) => e.origin === 'onbuild');
        assert.equal(triggers.length, 2, 'two ONBUILD triggers ran');
        assert.equal(triggers[1].size, 50_000, 'the trigger RUN wrote 50 kB');
        const own = c.result.measured.steps.find((m) => m.bytes === 20_000);
        assert.ok(own, 'the child RUN is measured at 20 kB');
      },
    );
  }
});

describe('cache and mismatch', () => {
  engineTest(
    'a rebuild reports cached steps; an image from another Dockerfile is a mismatch',
    { timeout: 120_000 },
    async (engine) => {
      const dir = path.join(fixturesDir(), 'basic');
      for (const builder of ['legacy', 'buildkit'] as const) {
        await buildFixture(engine, dir, { builder, tag: `cache-${builder}:1` });
        const again = await buildFixture(engine, dir, { builder, tag: `cache-${builder}:2` });
        const run = again.steps.find((s) => s.line === 6);
        assert.ok(run, `${builder}: RUN on line 6 recorded`);
        assert.equal(run.cached, true, `${builder}: rebuilt RUN is cached`);
      }
      const other = parseDockerfile(fs.readFileSync(path.join(fixturesDir(), 'noop', 'Dockerfile'), 'utf8'));
      const r = await measureImage(engine.docker, 'cache-buildkit:1', other, { layers: false });
      assert.ok(r.measured.mismatch, 'mismatch reported');
      assert.equal(r.measured.steps.length, 0, 'no sizes are attributed on a mismatch');
    },
  );
});

describe('wasted space', () => {
  engineTest(
    'writes, overwrites and deletes of known sizes are attributed once to creator and remover',
    { timeout: 120_000 },
    async (engine) => {
      const c = await buildAndCheck(engine, 'waste', 'buildkit', { sized: [2, 3, 4] });
      const text = fs.readFileSync(path.join(fixturesDir(), 'waste', 'Dockerfile'), 'utf8');
      const model = parseDockerfile(text);
      const at = (line: number) => c.result.measured.steps.find((m) => model.steps[m.stepIndex].line === line);
      // line 2 writes /data/a (3,000,000 B); line 4 overwrites it with 500,000 B; line 7 deletes the folder
      // line 3 writes /data/b (1,000,000 B); line 5 deletes it; line 6 copies c.bin (2,000 B)
      assert.equal(at(2)?.wastedBytes, 3_000_000);
      assert.equal(at(3)?.wastedBytes, 1_000_000);
      assert.equal(at(4)?.wastedBytes, 500_000);
      assert.equal(at(4)?.removesBytes, 3_000_000);
      assert.equal(at(5)?.removesBytes, 1_000_000);
      assert.equal(at(6)?.wastedBytes, 2_000);
      assert.equal(at(7)?.removesBytes, 502_000);
      assert.equal(c.result.save?.wastedBytes, 4_502_000, 'each hidden copy counted once');
      assert.deepEqual(at(2)?.largestFiles?.[0], { path: '/data/a', bytes: 3_000_000 });
      const hr = historyResult(c.result, model);
      assert.equal(hr.wastedBytes, 4_502_000);
      assert.equal(hr.base?.layers, 1);
      report.push('\n# wasted space (waste fixture, BuildKit): line | bytes | wasted | removes');
      for (const m of c.result.measured.steps)
        report.push(
          `# ${model.steps[m.stepIndex].line} | ${m.bytes} | ${m.wastedBytes ?? '-'} | ${m.removesBytes ?? '-'}`,
        );
      report.push(`# image wasted total: ${c.result.save?.wastedBytes}`);
    },
  );
});

describe('real package layers (Debian + apt)', () => {
  engineTest('apt-get install layer measured and mapped (legacy builder)', { timeout: 420_000 }, async (engine) => {
    await ensureDebian(engine);
    const c = await buildAndCheck(engine, 'apt', 'legacy', { sized: [] });
    const install = c.result.measured.steps.find((m) => m.stepIndex === 1);
    assert.ok(install && install.bytes > 1_000_000, `apt install layer is ${install?.bytes} bytes`);
    table('apt (legacy): per-step sizes', c, 'apt');
  });
});
