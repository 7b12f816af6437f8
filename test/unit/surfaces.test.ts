// The cache risk and the findings with fixes reach the CLI's JSON and the language server's features.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { AnalysisStore } from '../../server/src/lsp/store';
import { codeActions, diagnostics, hover, inlayHints } from '../../server/src/lsp/features';
import type { JsonReport } from '../../server/src/report/json';
import { toText } from '../../server/src/report/text';
import { toJson } from '../../server/src/report/json';
import { applyEdits } from '../../server/src/analysis/rewrite/edits';
import { df } from './fixes';

const DOCKERFILE = df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "server.js"]');

/** Runs the CLI (compiled next to this test) in a child process, as a user would. */
function cliJson(args: string[]): { code: number; out: string } {
  const cli = path.join(__dirname, '..', '..', 'server', 'src', 'cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: r.stdout };
}

test('layer-insight analyze --format json carries cacheRisk per step and findings with fixes from the context', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-cli-'));
  try {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}');
    fs.writeFileSync(path.join(dir, 'server.js'), '');
    const { code, out } = cliJson(['analyze', '--format', 'json', path.join(dir, 'Dockerfile')]);
    assert.equal(code, 0);
    const report = JSON.parse(out) as JsonReport;
    assert.deepEqual(
      report.steps.map((s) => s.cacheRisk.level),
      // node:20 floats (a major version): the base and the steps up to the COPY are medium
      ['medium', 'medium', 'high', 'high', 'high'],
    );
    assert.match(report.steps[3].cacheRisk.reasons[0], /COPY \. \. at line 3/);
    const f = report.findings.find((x) => x.rule === 'copy-before-install');
    assert.ok(f);
    assert.equal(f.fixes.length, 1);
    // the context is known: the fix names the lockfile that exists rather than a wildcard
    assert.equal(
      applyEdits(DOCKERFILE, f.fixes[0].edits),
      df(
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'RUN npm ci',
        'COPY . .',
        'CMD ["node", "server.js"]',
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the language server features: diagnostic with its code, preferred quick fix, inlay hint and hover with the risk', () => {
  const store = new AnalysisStore(() => undefined);
  const uri = 'untitled:Dockerfile';
  const entry = store.get(uri, 1, () => DOCKERFILE);
  const diag = diagnostics(entry).find((d) => d.code === 'copy-before-install');
  assert.ok(diag);
  assert.equal(diag.range.start.line, 2);
  const actions = codeActions(entry, diag.range);
  const preferred = actions.find((a) => a.isPreferred);
  assert.ok(preferred?.edit?.changes?.[uri]?.length);
  const hints = inlayHints(entry, { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } });
  assert.match(String(hints.find((h) => h.position.line === 3)?.label), /cache high/);
  const h = hover(entry, { line: 3, character: 2 });
  const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  assert.match(md, /Cache risk:\*\* high/);
  assert.match(md, /any file in the context changes, because of COPY \. \. at line 3/);
});

test('a hover on a long file stays short: the lines a source edit re-runs are listed up to twelve, then counted', () => {
  const store = new AnalysisStore(() => undefined);
  const lines = ['FROM debian:bookworm', 'COPY . /src'];
  for (let i = 0; i < 40; i++) lines.push(`RUN cp /src/f${i} /opt/f${i}`);
  const entry = store.get('untitled:Dockerfile', 1, () => df(...lines));
  const h = hover(entry, { line: 10, character: 1 });
  const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  assert.match(
    md,
    /Rebuild cost of a source edit:\*\* re-runs lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 29 more/,
  );
  const report = toText('Dockerfile', entry.analysis, { color: false });
  assert.match(
    report,
    /A typical source edit re-runs 41 layer steps \(lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 29 more\)\./,
  );
});

test('a CMD under a high step: the text report and the inlay hints show no cache risk for it, the JSON keeps it', () => {
  const store = new AnalysisStore(() => undefined);
  const uri = 'untitled:Dockerfile';
  const entry = store.get(uri, 1, () => DOCKERFILE);
  const cmd = entry.analysis.steps[4];
  assert.equal(cmd.step.keyword, 'CMD');
  assert.equal(cmd.cacheRisk.level, 'high');
  const lines = toText('Dockerfile', entry.analysis, { color: false }).split('\n');
  const at = (code: string) => lines.find((l) => l.includes(code)) ?? '';
  assert.match(at('RUN npm ci'), /size \?\s+cache high$/);
  assert.match(at('WORKDIR /app'), /≈ 0 B\s+cache medium$/);
  assert.match(at('FROM node:20'), /cache medium$/);
  assert.equal(
    at('CMD ["node", "server.js"]'),
    '5  CMD ["node", "server.js"]',
    'the CMD line as written, nothing after it',
  );
  const hints = inlayHints(entry, { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } });
  assert.deepEqual(
    hints.map((h) => h.position.line),
    [0, 1, 2, 3],
    'no hint at all on the CMD line (line 4): its label would be empty',
  );
  assert.match(String(hints[3].label), /cache high/);
});

test('the same finding at several places: one diagnostic per place linked to the others, a fix for each and one for all, one block in the text and one JSON entry with its places', () => {
  const text = df(
    'FROM debian:bookworm-slim',
    'ADD install-a /tmp/',
    'ADD install-b /tmp/',
    'RUN true',
    'ADD install-c /tmp/',
  );
  const store = new AnalysisStore(() => undefined);
  const uri = 'untitled:Dockerfile';
  const entry = store.get(uri, 1, () => text);
  const diags = diagnostics(entry).filter((d) => d.code === 'add-where-copy-fits');
  // an editor underlines each place
  assert.deepEqual(
    diags.map((d) => d.range.start.line),
    [1, 2, 4],
  );
  // each links to the other two
  assert.deepEqual(
    diags[1].relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message]),
    [
      [uri, 1, 'same finding here (1 of 3)'],
      [uri, 4, 'same finding here (3 of 3)'],
    ],
  );
  const actions = codeActions(entry, diags[1].range);
  assert.deepEqual(
    actions.map((a) => [a.title, a.isPreferred]),
    [
      ['Use COPY', true],
      ['Fix all 3: Use COPY', false],
    ],
  );
  const fixAll = actions[1].edit?.changes?.[uri] ?? [];
  assert.deepEqual(
    fixAll.map((e) => [e.range.start.line, e.newText]),
    [
      [1, 'COPY'],
      [2, 'COPY'],
      [4, 'COPY'],
    ],
  );
  // the text report: one block listing the lines, not three paragraphs
  const report = toText('Dockerfile', entry.analysis, { color: false });
  assert.equal(report.split('ADD copies plain files here').length - 1, 1, report);
  assert.match(report, /Dockerfile:2 {2}warning {2}add-where-copy-fits \(DL3020\)\n {6}at 3 places: lines 2, 3, 5\n/);
  assert.match(report, /fix: Fix all 3: Use COPY/);
  assert.match(report, /^1 finding:$/m);
  // JSON: one finding, its first place as line, every place in places, the fix that fixes them all
  const json = toJson('Dockerfile', entry.analysis);
  const found = json.findings.filter((f) => f.rule === 'add-where-copy-fits');
  assert.equal(found.length, 1);
  assert.equal(found[0].line, 2);
  assert.deepEqual(
    found[0].places?.map((p) => p.line),
    [2, 3, 5],
  );
  assert.deepEqual(
    found[0].fixes.map((f) => [f.title, f.edits.length]),
    [['Fix all 3: Use COPY', 3]],
  );
  // a finding at one place has no places
  assert.ok(json.findings.filter((f) => f.rule !== 'add-where-copy-fits').every((f) => f.places === undefined));
});
