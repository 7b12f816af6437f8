// The command line as CI and people use it: exit codes, the JSON contract of DESIGN.md, SARIF 2.1.0 that
// validates against the published schema, and a readable text format. Runs the bundled dist/cli.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { analyze } from '../../server/src/analysis/analyze';
import type { Severity } from '../../server/src/analysis/model';
import { toSarif } from '../../server/src/report/sarif';
import { ROOT } from '../lsp/client';

const CLI = path.join(ROOT, 'dist/cli.js');
const TYPICAL = 'test/fixtures/typical.Dockerfile';
const MISTAKES = 'test/fixtures/mistakes.Dockerfile';

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 120_000,
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

interface JsonFinding {
  rule: string;
  severity: Severity;
  line: number;
  message: string;
  fixes: { title: string }[];
}

/** The findings the CLI reports for a file (with the facts it gathers itself, such as the build context). */
function cliFindings(file: string, ...args: string[]): JsonFinding[] {
  const r = cli(['analyze', '--format', 'json', ...args, file]);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

// ---------------------------------------------------------------------------------------------------------
// exit codes

test('exit code follows --fail-on: 1 when a finding is at or above it, else 0', () => {
  for (const file of [TYPICAL, MISTAKES]) {
    const findings = cliFindings(file);
    const worst = Math.max(-1, ...findings.map((f) => RANK[f.severity]));
    for (const failOn of ['error', 'warning', 'info'] as const) {
      const r = cli(['analyze', '--format', 'json', '--fail-on', failOn, file]);
      assert.equal(r.code, worst >= RANK[failOn] ? 1 : 0, `${file} --fail-on ${failOn}: ${r.stderr}`);
    }
    assert.equal(cli(['analyze', file]).code, worst >= RANK.error ? 1 : 0, `${file}, default --fail-on error`);
  }
});

test('usage errors exit 2 with a message and the usage', () => {
  const cases: [string[], RegExp][] = [
    [['analyze'], /no Dockerfile given/],
    [['analyze', '--format', 'xml', TYPICAL], /--format must be one of text, json, sarif \(got "xml"\)/],
    [['analyze', '--fail-on', 'sometimes', TYPICAL], /--fail-on must be one of/],
    [['analyze', '--bogus', TYPICAL], /unknown option --bogus/],
    [['analyze', TYPICAL, '--format'], /--format needs a value/],
    [['analyze', '--build-arg', 'NOEQUALS', TYPICAL], /--build-arg expects K=V/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /usage:/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stdout + r.stderr, message, args.join(' '));
    assert.match(r.stdout + r.stderr, /layer-insight analyze \[--format/, 'the usage is shown');
  }
  assert.equal(cli(['--help']).code, 0);
  assert.match(cli(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
});

test('an unreadable file exits 2 with a message naming it', () => {
  const missing = cli(['analyze', 'no/such/Dockerfile']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read no\/such\/Dockerfile: no such file/);
  const folder = cli(['analyze', 'test/fixtures']);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /cannot read test\/fixtures: it is a folder/);
  assert.equal(folder.stdout, '');
  const badContext = cli(['analyze', '--context', 'no/such/dir', TYPICAL]);
  assert.equal(badContext.code, 2);
  assert.match(badContext.stderr, /no\/such\/dir is not a folder/);
});

// ---------------------------------------------------------------------------------------------------------
// JSON

const keys = (o: object) => Object.keys(o).sort();

function assertContract(report: Record<string, unknown>): void {
  assert.deepEqual(keys(report), ['file', 'findings', 'image', 'stages', 'steps']);
  for (const s of report.stages as Record<string, unknown>[]) {
    assert.deepEqual(keys(s), ['final', 'from', 'index', 'line', 'name']);
    assert.ok(s.name === null || typeof s.name === 'string');
  }
  for (const s of report.steps as Record<string, unknown>[]) {
    // sizeNote: the one optional extension, saying why size is null
    const expected = ['cacheRisk', 'endLine', 'instruction', 'layer', 'line', 'size', 'stage'];
    if ('sizeNote' in s) {
      assert.equal(s.size, null, 'sizeNote only with a null size');
      assert.equal(typeof s.sizeNote, 'string');
      expected.push('sizeNote');
    }
    assert.deepEqual(keys(s), expected.sort());
    assert.ok(s.size === null || keys(s.size as object).join() === 'basis,bytes,lowerBound,source');
    assert.ok(s.size === null || typeof (s.size as { lowerBound: unknown }).lowerBound === 'boolean');
    const risk = s.cacheRisk as { level: string; reasons: unknown[] };
    assert.deepEqual(keys(risk), ['level', 'reasons']);
    assert.ok(['low', 'medium', 'high'].includes(risk.level));
    assert.ok(s.stage === null || typeof s.stage === 'number');
  }
  for (const f of report.findings as Record<string, unknown>[]) {
    const expected = ['endLine', 'fixes', 'line', 'message', 'rule', 'severity'];
    if ('hadolint' in f) expected.push('hadolint');
    // the same finding at several places: each place's lines, the first being line and endLine
    if ('places' in f) {
      expected.push('places');
      const places = f.places as Record<string, unknown>[];
      assert.ok(places.length > 1);
      for (const p of places) assert.deepEqual(keys(p), ['endLine', 'line']);
      assert.deepEqual(places[0], { line: f.line, endLine: f.endLine });
    }
    assert.deepEqual(keys(f), expected.sort());
    for (const fix of f.fixes as Record<string, unknown>[]) {
      assert.deepEqual(keys(fix), ['edits', 'title']);
      for (const e of fix.edits as object[])
        assert.deepEqual(keys(e), ['endColumn', 'endLine', 'newText', 'startColumn', 'startLine']);
    }
  }
  // image.complete: false when the total leaves something out; then note says what (and unknownBase names an unknown
  // final base)
  if (report.image !== null) {
    const image = report.image as { complete: unknown; note?: unknown };
    assert.ok(
      ['bytes,complete,source', 'bytes,complete,note,source', 'bytes,complete,note,source,unknownBase'].includes(
        keys(image).join(),
      ),
      JSON.stringify(image),
    );
    assert.equal(typeof image.complete, 'boolean');
    assert.equal(image.complete, image.note === undefined, 'a note exactly when the total is not complete');
  }
}

test('json: one object per file with exactly the DESIGN.md contract', () => {
  const r = cli(['analyze', '--format', 'json', TYPICAL]);
  const report = JSON.parse(r.stdout) as Record<string, unknown>;
  assertContract(report);
  assert.equal(report.file, TYPICAL);
  assert.deepEqual(report.stages, [
    { index: 0, name: 'deps', from: 'node:20-bookworm', line: 6, final: false },
    { index: 1, name: 'build', from: 'node:20-bookworm', line: 12, final: false },
    { index: 2, name: 'runtime', from: 'node:20-bookworm-slim', line: 25, final: true },
  ]);
  const steps = report.steps as {
    line: number;
    endLine: number;
    stage: number | null;
    instruction: string;
    layer: boolean;
  }[];
  assert.deepEqual(
    steps.slice(0, 3).map((s) => [s.line, s.endLine, s.stage, s.instruction, s.layer]),
    [
      [3, 3, null, 'ARG', false],
      [4, 4, null, 'ARG', false],
      [6, 6, 0, 'FROM', false],
    ],
  );
  const heredocRun = steps.find((s) => s.line === 33);
  assert.deepEqual(heredocRun && [heredocRun.endLine, heredocRun.instruction, heredocRun.layer], [37, 'RUN', true]);
});

test('json: several files give an array in order; --target and --build-arg change the result', () => {
  const r = cli([
    'analyze',
    '--format',
    'json',
    '--target',
    'build',
    '--build-arg',
    'NODE_VERSION=22',
    TYPICAL,
    MISTAKES,
  ]);
  const reports = JSON.parse(r.stdout) as { file: string; stages: { from: string; final: boolean }[] }[];
  assert.ok(Array.isArray(reports));
  assert.deepEqual(
    reports.map((x) => x.file),
    [TYPICAL, MISTAKES],
  );
  reports.forEach((x) => assertContract(x as unknown as Record<string, unknown>));
  assert.deepEqual(
    reports[0].stages.map((s) => [s.from, s.final]),
    [
      ['node:22-bookworm', false],
      ['node:22-bookworm', true],
      ['node:22-bookworm-slim', false],
    ],
  );
});

test('json: a Dockerfile read from standard input with -', () => {
  const r = cli(['analyze', '--format', 'json', '-'], 'FROM alpine\nRUN echo hi\n');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { file: string; steps: unknown[] };
  assert.equal(report.file, '-');
  assert.equal(report.steps.length, 2);
});

// ---------------------------------------------------------------------------------------------------------
// SARIF

function sarifValidator() {
  // the SARIF 2.1.0 JSON schema (draft-04) as shipped by Microsoft's sarif-js-sdk in @microsoft/jest-sarif
  const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as object;
  // unicodeRegExp off: one pattern of the published schema (language tags) is not valid with the u flag
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

test('sarif: the CLI output validates against the SARIF 2.1.0 schema', () => {
  const validate = sarifValidator();
  const r = cli(['analyze', '--format', 'sarif', TYPICAL, MISTAKES]);
  const log = JSON.parse(r.stdout) as {
    version: string;
    runs: { tool: { driver: { name: string } }; results: unknown[] }[];
  };
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs[0].tool.driver.name, 'layer-insight');
  const expected = [TYPICAL, MISTAKES].reduce((n, f) => n + cliFindings(f).length, 0);
  assert.ok(expected > 0, 'the fixtures have findings');
  assert.equal(log.runs[0].results.length, expected);
});

test('sarif: findings with fixes, hadolint codes, columns and absolute paths validate too', () => {
  const validate = sarifValidator();
  const text = fs.readFileSync(path.join(ROOT, MISTAKES), 'utf8');
  const a = analyze(text);
  a.findings = [];
  a.findings.push(
    {
      rule: 'copy-before-install',
      severity: 'warning',
      line: 7,
      endLine: 7,
      column: 1,
      endColumn: 9,
      message: 'COPY . . before npm install',
      hadolint: 'DL3999',
      fixes: [
        {
          title: 'Copy package files first',
          edits: [{ startLine: 7, startColumn: 1, endLine: 8, endColumn: 1, newText: 'COPY package*.json ./\n' }],
        },
      ],
    },
    { rule: 'apt-lists', severity: 'info', line: 5, endLine: 6, message: 'apt lists stay in the layer', fixes: [] },
    { rule: 'hint-rule', severity: 'hint', line: 1, endLine: 1, message: 'a hint', fixes: [] },
  );
  const log = toSarif(
    [
      { file: MISTAKES, analysis: a },
      { file: path.join(os.tmpdir(), 'x y', 'Dockerfile'), analysis: a },
    ],
    '0.1.0',
  ) as {
    runs: {
      results: {
        ruleId: string;
        ruleIndex: number;
        level: string;
        fixes?: unknown[];
        locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
      }[];
      tool: { driver: { rules: { id: string }[] } };
    }[];
  };
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  const run = log.runs[0];
  assert.equal(run.results.length, 6);
  for (const res of run.results) assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
  assert.deepEqual(
    run.results.slice(0, 3).map((x) => x.level),
    ['warning', 'note', 'note'],
  );
  assert.equal(run.results[0].fixes?.length, 1);
  assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'test/fixtures/mistakes.Dockerfile');
  assert.match(run.results[3].locations[0].physicalLocation.artifactLocation.uri, /^file:\/\/\/.*x%20y\/Dockerfile$/);
});

// ---------------------------------------------------------------------------------------------------------
// text

test('text: each line with its number, annotations on instruction lines, then the findings; no clutter', () => {
  const r = cli(['analyze', '--context', 'test/fixtures/typical-context', TYPICAL]);
  const out = r.stdout;
  const source = fs.readFileSync(path.join(ROOT, TYPICAL), 'utf8').split('\n');
  const lines = out.split('\n');
  assert.match(lines[0], /^test\/fixtures\/typical\.Dockerfile {2}image /);
  assert.ok(!out.includes('\u001b['), 'no colour codes with NO_COLOR');
  for (const l of lines) assert.equal(l, l.trimEnd(), `no trailing spaces: ${JSON.stringify(l)}`);
  assert.ok(
    lines.some((l) =>
      /^ 6 {2}FROM node:\$\{NODE_VERSION\}-bookworm AS deps {2,}\S.* {2}cache (low|medium|high)$/.test(l),
    ),
    'FROM line with its annotations',
  );
  assert.ok(
    lines.some((l) => /^10 {6}npm ci --omit=dev$/.test(l)),
    'continuation lines are shown without annotations',
  );
  assert.ok(
    lines.some((l) => /^ 3 {2}ARG NODE_VERSION=20$/.test(l)),
    'global ARGs carry no cache mark',
  );
  const numbered = lines.filter((l) => /^\s*\d+ {2}/.test(l)).map((l) => Number(/^\s*(\d+)/.exec(l)?.[1]));
  assert.equal(Math.max(...numbered), source.length - 1, 'no line number for the empty string after the final newline');
  assert.equal(
    cliFindings(TYPICAL, '--context', 'test/fixtures/typical-context').length,
    0,
    'the typical Dockerfile has no findings in its own context',
  );
  // analysed in a folder that holds none of its COPY sources, it is told the context is probably another folder
  assert.deepEqual(
    cliFindings(TYPICAL).map((f) => [f.rule, f.line]),
    [['build-context-mismatch', 8]],
  );
  assert.ok(lines.includes('No findings.'), 'the report says so');
});

test('text: findings are listed as file:line, severity and rule, with their fixes', () => {
  const findings = cliFindings(MISTAKES);
  assert.ok(
    findings.some((f) => f.fixes.length > 0),
    'the fixture has findings with fixes',
  );
  const out = cli(['analyze', MISTAKES]).stdout;
  assert.ok(out.split('\n').includes(`${findings.length} findings:`), 'the findings are counted');
  for (const f of findings) {
    assert.ok(out.includes(`${MISTAKES}:${f.line}  ${f.severity}`), `${f.rule} listed`);
    assert.ok(out.includes(f.message));
    for (const fix of f.fixes) assert.ok(out.includes(`fix: ${fix.title}`));
  }
  const colour = cli(['analyze', '--color', MISTAKES]).stdout;
  assert.ok(colour.includes('\u001b[1m'), '--color forces colours');
});

// ---------------------------------------------------------------------------------------------------------
// the shared corpus, when this clone sits next to one

test('corpus: every file of ../shared/corpus analyses without a crash, as valid JSON and SARIF', (t) => {
  // ../shared sits beside a clone on the project machines; LAYER_INSIGHT_SHARED points elsewhere (a worktree)
  const dir = path.resolve(process.env.LAYER_INSIGHT_SHARED ?? path.join(ROOT, '../shared'), 'corpus');
  if (!fs.existsSync(dir)) {
    t.skip(`no corpus at ${dir} (it sits beside the repository on the project machines only)`);
    return;
  }
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      // the Dockerfiles only: realworld/ keeps their build contexts too (2,000 files, icons among them, which the
      // CLI refuses as binary: edges.test.ts)
      else if (/dockerfile|containerfile/i.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.length > 0);
  const json = cli(['analyze', '--format', 'json', '--fail-on', 'info', ...files]);
  assert.ok(json.code === 0 || json.code === 1, `exit ${json.code}: ${json.stderr}`);
  assert.doesNotMatch(json.stderr, /internal error/);
  const reports = JSON.parse(json.stdout) as Record<string, unknown>[];
  assert.equal(reports.length, files.length);
  reports.forEach((r, i) => {
    assertContract(r);
    assert.equal(r.file, files[i]);
  });
  const sarif = cli(['analyze', '--format', 'sarif', ...files]);
  const validate = sarifValidator();
  assert.ok(validate(JSON.parse(sarif.stdout)), JSON.stringify(validate.errors?.slice(0, 3)));
  const text = cli(['analyze', ...files]);
  assert.ok(text.code === 0 || text.code === 1, text.stderr);
  t.diagnostic(`${files.length} corpus files analysed`);
});

// ---------------------------------------------------------------------------------------------------------
// the quick-start example

test('the quick-start example analyses: one stage from node:20, COPY . . before npm ci, context read', () => {
  const r = cli(['analyze', '--format', 'json', 'examples/node-app/Dockerfile']);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const report = JSON.parse(r.stdout) as {
    stages: { from: string; final: boolean }[];
    steps: { line: number; instruction: string; layer: boolean }[];
  };
  assert.deepEqual(
    report.stages.map((s) => [s.from, s.final]),
    [['node:20', true]],
  );
  const copy = report.steps.find((s) => s.instruction === 'COPY');
  const install = report.steps.find((s) => s.instruction === 'RUN');
  assert.ok(copy && install && copy.line < install.line, 'the example keeps its classic mistake');
  const text = cli(['analyze', 'examples/node-app/Dockerfile']);
  assert.match(text.stdout, /COPY \. \./);
  assert.equal(text.stderr, '');
});
