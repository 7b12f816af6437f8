// What the editor shows of the forecast (the next build) and of the last build's cache misses, given an analysis
// that carries them: the line label, the hover, the inlay hint's tooltip, the annotations sent to the client, the
// history tree's layers and the status-bar text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import type { Analysis, Forecast, MeasuredImage, StepForecast } from '../../server/src/analysis/model';
import { annotations, hover, inlayHints } from '../../server/src/lsp/features';
import { withForecast } from '../../server/src/lsp/history';
import type { HistoryResult } from '../../server/src/protocol';
import { RERUN_MARK, stepHover, stepLabel, stepLabelParts, stepTooltip } from '../../server/src/report/describe';
import { forecastDetails, forecastSummary } from '../../server/src/report/forecastText';

// lines: 1 FROM, 2 WORKDIR, 3 COPY manifests, 4 RUN npm ci, 5 COPY . ., 6 CMD
const TEXT =
  'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "s.js"]\n';

const MEASURED: MeasuredImage = {
  image: 'app:latest',
  bytes: 200_000_000,
  sizeKind: 'overlay2',
  steps: [
    { stepIndex: 2, bytes: 1_000, sizeKind: 'overlay2', cached: false, durationMs: 300 },
    { stepIndex: 3, bytes: 40_000_000, sizeKind: 'overlay2', cached: false, durationMs: 42_000 },
    { stepIndex: 4, bytes: 5_000, sizeKind: 'overlay2', cached: true, durationMs: 100 },
    { stepIndex: 5, bytes: 0, sizeKind: 'overlay2', cached: true },
  ],
};

const rerun = (cause: string | null, seconds: number | null, bytes: number | null): StepForecast => ({
  rerun: true,
  cause,
  seconds,
  bytes,
  source: 'measured',
});
const cached: StepForecast = { rerun: false, cause: null, seconds: 0.1, bytes: 5_000, source: 'measured' };

/** The analysis after a build, with package-lock.json edited since: lines 3 to 6 re-run (as forecast.ts says). */
function withForecastFields(): Analysis {
  const a = analyze(TEXT, { measured: MEASURED });
  const at = (line: number) => a.steps.find((s) => s.step.line === line)!;
  at(1).forecast = cached;
  at(2).forecast = cached;
  at(3).forecast = rerun('package-lock.json changed since the last build', 0.3, 1_000);
  at(4).forecast = rerun('because line 3 re-runs (package-lock.json changed)', 42, 40_000_000);
  at(5).forecast = rerun('because line 3 re-runs', 0.1, 5_000);
  at(6).forecast = rerun('because line 3 re-runs', null, null);
  at(3).lastBuild = { hit: false, cause: 'package.json changed' };
  at(4).lastBuild = { hit: false, cause: 'because line 3 re-ran' };
  at(5).lastBuild = { hit: true, cause: null };
  at(6).lastBuild = { hit: true, cause: null };
  const forecast: Forecast = {
    lines: [3, 4, 5, 6],
    seconds: 220,
    secondsComplete: true,
    bytes: 40_006_000,
    since: '2026-12-07T10:31:05.000Z',
    builder: 'buildkit',
    notes: ['the base image node:20 was not checked: no engine'],
  };
  a.forecast = forecast;
  return a;
}

test('the line label marks the steps the next build re-runs and says why a step ran in the last build', () => {
  const a = withForecastFields();
  const [, workdir, copy, run, copyAll, cmd] = a.steps;
  assert.equal(stepLabelParts(workdir).next, undefined, 'a step from the cache gets no mark');
  assert.equal(stepLabelParts(copy).next, RERUN_MARK);
  assert.equal(stepLabel(run), `40.0 MB · cache medium · ran 42.0 s: because line 3 re-ran · ${RERUN_MARK}`);
  assert.equal(stepLabelParts(copy).build, 'ran 0.3 s: package.json changed');
  assert.equal(stepLabelParts(copyAll).build, 'cached');
  // a CMD re-runs at no cost: no mark, and still no label
  assert.equal(cmd.forecast?.rerun, true);
  assert.equal(stepLabel(cmd), '0 B · cached');
  // a long cause is cut in the label
  run.lastBuild = { hit: false, cause: 'src/some/very/long/path/to/a/file/that/changed.ts changed' };
  assert.match(stepLabelParts(run).build ?? '', /^ran 42\.0 s: src\/some\/very\/long.{20,}…$/);
  assert.ok((stepLabelParts(run).build ?? '').length <= 'ran 42.0 s: '.length + 48);
});

test('the hover says what the next build does with the step and why the last build ran it', () => {
  const a = withForecastFields();
  const run = stepHover(a, a.steps[3]);
  assert.match(
    run,
    /\*\*Next build:\*\* re-runs because line 3 re-runs \(package-lock\\\.json changed\) · took 42\.0 s last time, 40\.0 MB/,
  );
  assert.match(run, /\*\*Last build:\*\* ran for 42\.0 s because line 3 re-ran/);
  const copy = stepHover(a, a.steps[2]);
  assert.match(copy, /\*\*Next build:\*\* re-runs because package-lock\\\.json changed since the last build/);
  assert.match(copy, /\*\*Last build:\*\* ran for 0\.3 s because package\\\.json changed/);
  const workdir = stepHover(a, a.steps[1]);
  assert.match(workdir, /\*\*Next build:\*\* from the cache/);
  assert.doesNotMatch(workdir, /re-runs because/);
  assert.match(stepHover(a, a.steps[4]), /\*\*Last build:\*\* came from the build cache/);
  // never measured: said so instead of a time
  assert.match(stepHover(a, a.steps[5]), /\*\*Next build:\*\* re-runs because line 3 re-runs · never measured/);
});

test('a cause is text, not Markdown: a file name cannot add a link to the hover', () => {
  const a = withForecastFields();
  a.steps[2].forecast = rerun('[x](https://evil.example) changed since the last build', 1, null);
  const md = stepHover(a, a.steps[2]);
  assert.doesNotMatch(md, /\]\(https:/);
  assert.match(md, /\\\[x\\\]/);
});

test('without a recorded build nothing changes: no mark, no next-build line', () => {
  const a = analyze(TEXT, { measured: MEASURED });
  assert.equal(stepLabel(a.steps[3]), '40.0 MB · cache medium · ran 42.0 s');
  assert.doesNotMatch(stepHover(a, a.steps[3]), /Next build/);
  assert.doesNotMatch(stepTooltip(a.steps[3]), /next build/);
});

test('the language server sends the forecast with the annotations, in the inlay hints and in the hover', () => {
  const entry = { uri: 'file:///p/Dockerfile', version: 3, analysis: withForecastFields() };
  const p = annotations(entry);
  assert.deepEqual(p.forecast?.lines, [3, 4, 5, 6]);
  const run = p.steps.find((s) => s.line === 4);
  assert.equal(run?.forecast?.rerun, true);
  assert.equal(run?.parts?.next, RERUN_MARK);
  assert.deepEqual(run?.lastBuild, { hit: false, cause: 'because line 3 re-ran' });
  assert.equal(p.steps.find((s) => s.line === 2)?.parts?.next, undefined);
  const hints = inlayHints(entry, { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } });
  const hint = hints.find((h) => h.position.line === 3);
  assert.match(String(hint?.label), /↻ re-runs$/);
  assert.match(String(hint?.tooltip), /\nlast build: ran for 42\.0 s because line 3 re-ran\nnext build: re-runs/);
  const h = hover(entry, { line: 2, character: 1 });
  const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  assert.match(md, /Next build:\*\* re-runs because package-lock/);
  // an analysis without the forecast (no build recorded by this server) sends none
  const plain = annotations({ ...entry, analysis: analyze(TEXT) });
  assert.equal('forecast' in plain, false);
  assert.equal(
    plain.steps.some((s) => s.forecast || s.lastBuild),
    false,
  );
});

test('the history tree gets, per layer, why it ran and whether the next build re-runs it', () => {
  const layer = (line: number | null, cached: boolean) => ({
    line,
    endLine: line,
    createdBy: `step ${line}`,
    instruction: 'RUN',
    bytes: 1,
    empty: false,
    cached,
    largestFiles: [],
  });
  const r: HistoryResult = {
    image: 'app:latest',
    base: null,
    stages: [
      {
        index: 0,
        name: null,
        from: 'node:20',
        line: 1,
        layers: [layer(3, false), layer(4, false), layer(5, true), layer(null, true)],
      },
    ],
  };
  const out = withForecast(r, withForecastFields());
  const [copy, run, copyAll, unknown] = out.stages[0].layers;
  assert.equal(copy.cause, 'package.json changed');
  assert.deepEqual(copy.rerun, { cause: 'package-lock.json changed since the last build' });
  assert.equal(run.cause, 'because line 3 re-ran');
  assert.equal(copyAll.cause, undefined, 'a cache hit has no cause');
  assert.deepEqual(copyAll.rerun, { cause: 'because line 3 re-runs' });
  assert.equal(unknown.rerun, undefined, 'a layer without a line is left alone');
  assert.equal(r.stages[0].layers[0].cause, undefined, 'the engine result is not changed');
  assert.equal(withForecast(r, analyze(TEXT)), r, 'no forecast: the result as it was');
});

test('the status bar text: steps and time, a lower bound when a step was never measured, all cached', () => {
  const f = withForecastFields().forecast!;
  assert.equal(forecastSummary(f), 'next build: 4 steps, ~3m40s');
  assert.equal(forecastSummary({ ...f, secondsComplete: false }), 'next build: 4 steps, ≥ 3m40s');
  assert.equal(forecastSummary({ ...f, lines: [4], seconds: 42 }), 'next build: 1 step, ~42s');
  assert.equal(forecastSummary({ ...f, seconds: null }), 'next build: 4 steps, time unknown');
  assert.equal(forecastSummary({ ...f, lines: [], seconds: 0 }), 'next build: all cached');
});

test('the status bar tooltip lists the re-run lines with their causes, the build compared with, and the notes', () => {
  const a = withForecastFields();
  const steps = new Map(a.steps.filter((s) => s.forecast).map((s) => [s.step.line, s.forecast!] as const));
  const lines = forecastDetails(a.forecast!, steps, 'en-GB');
  assert.equal(lines[0], 'next build: 4 steps, ~3m40s');
  assert.equal(lines[1], 're-runs lines 3, 4, 5, 6');
  assert.equal(lines[2], '• line 3: package-lock.json changed since the last build (0.3s)');
  assert.equal(lines[3], '• line 4: because line 3 re-runs (package-lock.json changed) (42s)');
  assert.equal(lines[5], '• line 6: because line 3 re-runs (never measured)');
  assert.equal(lines[6], 'layers to write: 40.0 MB');
  assert.match(lines[7], /^since 7 Dec 2026, \d\d:\d\d:05 \(buildkit\)$/);
  assert.equal(lines[8], 'note: the base image node:20 was not checked: no engine');
});
