/// <reference types="mocha" />
// With a Docker engine: build a small project from the editor, then edit a file of its context and save. The status
// bar forecasts the next build (the steps from the edited COPY on, with the time they took), the annotations mark
// those lines "↻ re-runs" and the hover says why; the steps above stay unmarked. A second build then runs exactly
// those steps, and the lines, the hover and the history tree say why each ran; the forecast is back to "all cached".

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Forecast } from '../../../server/src/analysis/model';
import type { BuildResult, ForecastResult } from '../../../server/src/protocol';
import { api, closeAll, fixture, hoverText, open, shot, sleep, timings, until } from './helpers';

// 1-based lines of forecast/Dockerfile
const COPY_DEPS = 3;
const RUN_DEPS = 4;
const COPY_SRC = 5;
const RUN_SRC = 6; // sleep 1: the forecast has at least a second to add up

suite('Forecast of the next build (needs a Docker engine)', function () {
  suiteSetup(async function () {
    const engine = process.env.E2E_ENGINE ?? 'none: E2E_ENGINE not set by the runner';
    if (engine !== 'available') {
      console.log(`    SKIP forecast tests: ${engine}`);
      this.skip();
    }
    await closeAll();
  });

  const dockerfile = (): vscode.Uri => fixture('forecast', 'Dockerfile');
  const source = (): vscode.Uri => fixture('forecast', 'src', 'app.txt');

  async function build(): Promise<BuildResult | undefined> {
    const li = await api();
    await open(dockerfile());
    await until(
      () => li.status.state,
      (s) => s.status === 'connected',
      30_000,
    );
    return vscode.commands.executeCommand<BuildResult | undefined>('layerInsight.build', dockerfile());
  }

  /** The forecast the status bar has for the Dockerfile once `ok` holds (the server sends it with the annotations). */
  async function forecastWhen(ok: (f: Forecast) => boolean, ms = 30_000): Promise<Forecast | null | undefined> {
    const li = await api();
    return until(
      () => li.forecast.forecastFor(dockerfile()),
      (f) => Boolean(f && ok(f)),
      ms,
    );
  }

  test('after a build, nothing changed: the status bar says the next build is all cached', async () => {
    const li = await api();
    const t0 = Date.now();
    const result = await build();
    timings['build of forecast/Dockerfile'] = `${Date.now() - t0} ms`;
    assert.ok(result?.ok, `build succeeded: ${JSON.stringify(result)}`);
    const f = await forecastWhen((x) => x.lines.length === 0);
    assert.ok(f, `a forecast after the build: ${JSON.stringify(f)}`);
    assert.deepEqual(f.lines, [], 'nothing changed since the build: nothing re-runs');
    await open(dockerfile());
    const text = await until(
      () => li.forecast.text,
      (t) => t !== '',
    );
    assert.match(text, /next build: all cached$/);
    const shown = li.decorations.textsFor(dockerfile());
    assert.ok(shown.length > 0, 'the lines are annotated');
    assert.deepEqual(
      shown.filter((a) => a.rerun),
      [],
      'no line is marked as re-running',
    );
  });

  test('editing a source file and saving it forecasts the steps from its COPY on, with their cost', async () => {
    const li = await api();
    const src = await open(source());
    const t0 = Date.now();
    await src.edit((e) => e.insert(new vscode.Position(src.document.lineCount, 0), `edited ${Date.now()}\n`));
    await src.document.save();
    const f = await forecastWhen((x) => x.lines.includes(COPY_SRC));
    timings['save of a context file to its forecast'] = `${Date.now() - t0} ms`;
    assert.ok(f && f.lines.includes(COPY_SRC), `the COPY of src/ re-runs: ${JSON.stringify(f)}`);
    assert.ok(f.lines.includes(RUN_SRC), 'and the RUN after it');
    assert.ok(!f.lines.includes(COPY_DEPS) && !f.lines.includes(RUN_DEPS), 'the steps above the edit stay cached');
    assert.ok(f.seconds !== null && f.seconds >= 1, `the re-run steps took at least the 1 s sleep: ${f.seconds}`);

    const editor = await open(dockerfile());
    const n = f.lines.length;
    const text = await until(
      () => li.forecast.text,
      (t) => t.includes(`${n} step`),
    );
    assert.match(
      text,
      new RegExp(`next build: ${n} steps?, (~|≥ )(\\d+(\\.\\d)?s|\\d+m(\\d\\ds)?)$`),
      `status bar: "${text}"`,
    );
    assert.match(li.forecast.tooltipText, new RegExp(`line ${COPY_SRC}: .*app\\.txt`), 'the tooltip names the file');

    // the annotations of the Dockerfile's current version mark exactly the forecast's layer steps
    const shown = await until(
      () => li.decorations.textsFor(dockerfile()),
      (a) => a.some((x) => x.rerun),
    );
    const marked = shown.filter((a) => a.rerun).map((a) => a.line + 1);
    assert.ok(marked.includes(COPY_SRC) && marked.includes(RUN_SRC), `marked lines: ${JSON.stringify(marked)}`);
    assert.ok(
      marked.every((l) => f.lines.includes(l)),
      'only lines the forecast re-runs are marked',
    );
    for (const a of shown.filter((x) => x.rerun)) assert.match(a.text, /↻ re-runs$/);
    assert.ok(!marked.includes(COPY_DEPS) && !marked.includes(RUN_DEPS), 'the cached steps are not marked');

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      dockerfile(),
      new vscode.Position(COPY_SRC - 1, 2),
    );
    assert.match(hoverText(hovers), /\*\*Next build:\*\* re-runs .*app\\?\.txt/, 'the hover says which file changed');

    // screenshot: the marked lines, the status bar and the hover of the COPY that re-runs
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(COPY_SRC - 1, 2, COPY_SRC - 1, 2);
    await sleep(500);
    await vscode.commands.executeCommand('editor.action.showHover');
    await shot('forecast-after-edit', '.monaco-hover-content strong');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);

    // on demand: the command asks the server to read the files again; same answer (no build starts)
    const asked = await vscode.commands.executeCommand<ForecastResult | undefined>(
      'layerInsight.forecast',
      dockerfile(),
    );
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.deepEqual(asked?.forecast?.lines, f.lines, 'the command forecasts the same steps');
  });

  test('the next build re-runs those steps, and each says why it ran; then all is cached again', async () => {
    const li = await api();
    const before = li.forecast.forecastFor(dockerfile());
    assert.ok(before && before.lines.length > 0, 'a forecast from the previous test');
    const result = await build();
    assert.ok(result?.ok, `second build succeeded: ${JSON.stringify(result)}`);

    const after = await forecastWhen((x) => x.lines.length === 0);
    assert.deepEqual(after?.lines, [], 'right after the build nothing re-runs');
    const shown = await until(
      () => li.decorations.textsFor(dockerfile()),
      (a) => a.some((x) => /^.* · ran /.test(x.text)) && !a.some((x) => x.rerun),
    );
    const ran = shown.filter((a) => / · ran[ :]/.test(a.text)).map((a) => a.line + 1);
    const cachedLines = shown.filter((a) => / · cached/.test(a.text)).map((a) => a.line + 1);
    // the forecast was right: what it said re-runs ran, what it said stays cached came from the cache
    for (const l of [COPY_SRC, RUN_SRC]) assert.ok(ran.includes(l), `line ${l} ran: ${JSON.stringify(shown)}`);
    for (const l of [COPY_DEPS, RUN_DEPS]) assert.ok(cachedLines.includes(l), `line ${l} came from the cache`);
    const copy = shown.find((a) => a.line + 1 === COPY_SRC);
    assert.match(copy?.text ?? '', /ran( [\d.]+ s)?: .*app\.txt/, `the COPY says why it ran: "${copy?.text}"`);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      dockerfile(),
      new vscode.Position(RUN_SRC - 1, 2),
    );
    assert.match(hoverText(hovers), /\*\*Last build:\*\* ran .*because/, 'the hover says why the RUN ran');

    await li.history.refresh();
    const layers = (li.history.shown?.stages ?? []).flatMap((s) => s.layers);
    const copyLayer = layers.find((l) => l.line === COPY_SRC);
    assert.match(
      copyLayer?.cause ?? '',
      /app\.txt/,
      `the history tree's COPY layer has the cause: ${copyLayer?.cause}`,
    );
    assert.equal(layers.find((l) => l.line === RUN_DEPS)?.cause ?? null, null, 'a cached layer has no cause');
    await open(dockerfile());
    assert.match(li.forecast.text, /next build: all cached$/);
  });
});
