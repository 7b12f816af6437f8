// The analysis on hostile inputs (issue 12, points 2 and 3): every input of test/hostile/inputs.ts gets a result,
// never an exception, within a generous bound and without blowing up memory; where something is cut short the model
// says so; and what is cut keeps the meaning of the rest (expansions, cache reasons, ignore comments).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import type { Analysis, AnalysisFacts, AnalysisOptions } from '../../server/src/analysis/model';
import {
  copyFromChain,
  envDoubling,
  HOSTILE_ANALYSIS_INPUTS,
  ignoredFindings,
  nestedDefault,
  repeatedExpansion,
  stageChain,
} from '../hostile/inputs';

/** Against a hang, not a speed test: each case takes a few seconds at most on a busy 2-core machine. */
const BOUND_MS = 60_000;
// Memory is checked through what used to blow it up (the length of expansions and of reasons, below), not the process's
// RSS: the cases run one after another in this process and V8 collects their garbage when it likes. The peak RSS of
// each case on its own is measured through the CLI (test/hostile/cases.ts, scripts/hostile-bench.mjs).

function run(text: string, facts: AnalysisFacts = {}, options: AnalysisOptions = {}, previous?: Analysis): Analysis {
  try {
    return analyze(text, facts, options, previous);
  } catch (e) {
    return assert.fail(`analyze threw: ${(e as Error).stack}`);
  }
}

for (const c of HOSTILE_ANALYSIS_INPUTS) {
  test(`hostile input ${c.name} (was: ${c.was}): a result within the bound, fixes readable, reasons short`, () => {
    const text = c.text;
    const started = Date.now();
    const a = run(text);
    // reading every fix builds it (the fix builders scan the step's text)
    for (const f of a.findings) assert.ok(Array.isArray(f.fixes));
    const ms = Date.now() - started;
    assert.ok(ms < BOUND_MS, `${c.name} took ${ms} ms`);
    assert.ok(a.model.steps.length > 0, 'the instructions were read');
    assert.equal(a.steps.length, a.model.steps.length);
    for (const st of a.model.stages) for (const i of st.steps) assert.equal(a.model.steps[i].stage, st.index);
    // a reason is repeated on every later step: it must not carry a long name or a long chain of stages
    for (const s of a.steps)
      for (const r of s.cacheRisk.reasons) assert.ok(r.length < 1500, `${c.name}: a reason of ${r.length} characters`);
    if (c.note)
      assert.ok(
        a.model.problems.some((p) => c.note?.test(p)),
        `${c.name}: a note matching ${c.note} in ${JSON.stringify(a.model.problems.slice(0, 3))}`,
      );
    else
      assert.deepEqual(
        a.model.problems.filter((p) => /failed|internal error/.test(p)),
        [],
        `${c.name}: no phase failed`,
      );
  });
}

test('nested defaults thousands deep expand as Docker does: the innermost default, or the first variable set', () => {
  const deep = nestedDefault(20_000);
  let a = run(`FROM alpine\nCOPY ${deep} /x\n`);
  assert.deepEqual(a.model.steps[1].sources, ['x']);
  a = run(`FROM alpine\nARG v12345=mid\nCOPY ${deep} /x\n`);
  assert.deepEqual(a.model.steps[2].sources, ['mid']);
  // unterminated: the text stays as written
  a = run(`FROM alpine\nCOPY pre${deep.slice(0, -1)} /x\n`);
  assert.equal(a.model.steps[1].sources?.[0], `pre${deep.slice(0, -1)}`);
});

test('an ENV that doubles its value 25 times is cut at 64 KB, and the model says where', () => {
  const a = run(envDoubling(25));
  const workdir = a.model.steps.find((s) => s.keyword === 'WORKDIR');
  assert.ok(workdir);
  assert.equal(workdir.workdir.length, 64 * 1024, 'WORKDIR /$A: the expansion cut at 64 KB');
  assert.ok(/^\/x+$/.test(workdir.workdir));
  // xx doubled 15 times is 64 KB: the 16th ENV (line 18) is the first one cut
  assert.match(a.model.problems[0], /^line 18: variable expansion truncated/);
});

test('expansions are capped per file too, and an edited document reads the same as a fresh one', () => {
  const text = repeatedExpansion(100, 20);
  const a = run(text);
  const total = a.model.steps.reduce((n, s) => n + (s.sources ?? []).reduce((m, p) => m + p.length, 0), 0);
  assert.ok(total <= 4 * 1024 * 1024 + text.length, `the COPY sources hold ${total} characters`);
  assert.ok(a.model.problems.some((p) => /variable expansion truncated/.test(p)));
  // the language server re-reads only what an edit changed: the caps must come out the same
  const edited = text.replace(/\/d99\/\n$/, '/d99/ \nRUN echo\n');
  const fresh = run(edited);
  const incremental = run(edited, {}, {}, a);
  assert.deepEqual(incremental.model.problems, fresh.model.problems);
  assert.deepEqual(
    incremental.model.steps.map((s) => s.sources),
    fresh.model.steps.map((s) => s.sources),
  );
});

test('a chain of 5,000 stages: every stage reaches the target, and a reason names 6 stages and counts the rest', () => {
  const a = run(stageChain(5000));
  assert.ok(a.model.stages.every((s) => s.reachesFinal));
  const last = a.steps[a.steps.length - 1].cacheRisk;
  assert.equal(last.level, 'high');
  assert.match(
    last.reasons[0],
    /\(through stage s0\) \(through stage s1\) .* \(through stage s5\) \(and 4993 more stages\)$/,
  );
});

test('700 stages linked by COPY --from: each step shows its first reasons and counts the others', () => {
  const a = run(copyFromChain(700));
  const last = a.steps[a.steps.length - 1].cacheRisk;
  assert.equal(last.level, 'high');
  assert.ok(last.reasons.length <= 5);
  const more = /^and (\d+) more inputs above this step$/.exec(last.reasons[last.reasons.length - 1]);
  assert.ok(more && Number(more[1]) > 16, `the count of the others: ${last.reasons[last.reasons.length - 1]}`);
});

test('50,000 ignore comments silence exactly the findings under them', () => {
  const a = run(ignoredFindings(50_000));
  const dl3015 = a.findings.filter((f) => f.hadolint === 'DL3015');
  assert.equal(dl3015.length, 50_000, 'the 50,000 RUNs without a comment above keep their finding');
  assert.ok(dl3015.every((f) => a.model.lines[f.line - 1].includes('wget')));
});

test('a phase that fails leaves its result out with a note, and the other phases still answer', () => {
  const text = 'FROM node:20\nCOPY . /app\nRUN apt-get install curl\n';
  // a build context whose listing throws when read: the estimate, the cache risks and the rules that read it fail
  const context = {
    root: '/x',
    truncated: false,
    hasDockerignore: false,
    get files(): never {
      throw new Error('boom');
    },
  };
  const a = run(text, { context });
  assert.ok(
    a.model.problems.some((p) => /size estimate failed|estimate failed/.test(p)),
    JSON.stringify(a.model.problems),
  );
  assert.ok(
    a.model.problems.some((p) => /cache risks could not be assessed: internal error \(boom\)/.test(p)),
    JSON.stringify(a.model.problems),
  );
  assert.equal(a.steps.length, 3);
  assert.ok(a.steps.every((s) => s.cacheRisk.level === 'low'));
  assert.ok(
    a.findings.some((f) => f.hadolint === 'DL3015'),
    'rules that do not read the context still report',
  );
  // options that throw when read: the text cannot be read at all, and that is said, not thrown
  const buildArgs = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('no keys');
      },
    },
  );
  const b = run(text, {}, { buildArgs });
  assert.equal(b.steps.length, 0);
  assert.match(b.model.problems[0], /the file could not be read: internal error \(no keys\)/);
});

test('a lockfile nested 200,000 deep in the build context is sized, not a stack overflow', () => {
  let deps = '{}';
  for (let i = 0; i < 200_000; i++) deps = `{"p${i}":{"dependencies":${deps}}}`;
  const lock = `{"lockfileVersion":1,"dependencies":${deps}}`;
  const context = {
    root: '/ctx',
    truncated: false,
    hasDockerignore: false,
    files: [
      { path: 'package.json', bytes: 2 },
      { path: 'package-lock.json', bytes: lock.length },
    ],
    contents: { 'package-lock.json': lock },
  };
  const a = run('FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n', { context });
  assert.deepEqual(a.model.problems, []);
  const install = a.steps[3];
  assert.ok(install.size !== null, `npm ci has a size (${install.sizeNote})`);
  assert.match(install.size.basis, /200000 packages of package-lock\.json/);
});

test('the work budgets leave real files alone: 400 COPY lines over a context of 50,000 files are all sized', () => {
  const files = Array.from({ length: 50_000 }, (_, i) => ({ path: `src/m${i % 400}/f${i}.js`, bytes: 100 }));
  const context = { root: '/ctx', truncated: false, hasDockerignore: false, files };
  const text =
    'FROM node:20\nWORKDIR /app\n' +
    Array.from({ length: 400 }, (_, i) => `COPY src/m${i} ./m${i}/\nRUN rm -rf /tmp/x${i}`).join('\n') +
    '\n';
  const a = run(text, { context });
  assert.deepEqual(a.model.problems, []);
  const copies = a.steps.filter((s) => s.step.keyword === 'COPY');
  assert.equal(copies.length, 400);
  assert.ok(
    copies.every((s) => s.size?.bytes === 125 * 100),
    'each COPY sizes its 125 files',
  );
});
