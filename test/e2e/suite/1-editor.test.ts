/// <reference types="mocha" />
// The editor without an engine: activation, diagnostics, hover, and the line annotations (decorations).

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RenderedAnnotation } from '../../../client/src/decorations';
import {
  api,
  closeAll,
  codeOf,
  diagnosticsOf,
  EXTENSION_ID,
  fixture,
  hasDriver,
  hoverText,
  open,
  shot,
  sleep,
  timings,
  until,
} from './helpers';

const APP = ['app', 'Dockerfile'];
// 0-based lines of app/Dockerfile
const FROM = 2;
const COPY_ALL = 5;
const NPM_CI = 6;
const EXPOSE = 7;
// FROM, WORKDIR, COPY, RUN: an annotation each. ENV, EXPOSE, CMD only set metadata: a re-run costs nothing, so
// they show no cache risk, and having no size either, no annotation at all
const ANNOTATED_LINES = [2, 3, 5, 6];
const METADATA_LINES = [4, 7, 8];

suite('Editor', () => {
  suiteSetup(closeAll);

  test('the extension activates and its language server runs', async () => {
    const t0 = Date.now();
    const li = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'extension active');
    assert.ok(li.client.isRunning(), 'language client running');
    timings['activation (activate() until the language server answered initialize)'] = `${li.activationMs} ms`;
    timings['extension ready when the first test asked'] = `${Date.now() - t0} ms`;
  });

  test('opening a Dockerfile shows an annotation after each line that makes a layer, none after metadata', async () => {
    const li = await api();
    const uri = fixture(...APP);
    const t0 = Date.now();
    const rendered = new Promise<number>((resolve) => {
      const sub = li.decorations.onDidRender((u) => {
        if (u === uri.toString() && li.decorations.textsFor(uri).length > 0) {
          sub.dispose();
          resolve(Date.now() - t0);
        }
      });
    });
    await open(uri);
    const ms = await Promise.race([rendered, sleep(20_000).then(() => -1)]);
    assert.ok(ms >= 0, 'decorations shown within 20 s of opening the Dockerfile');
    timings['open a Dockerfile -> decorations shown'] = `${ms} ms`;

    const shown = li.decorations.textsFor(uri);
    assert.deepEqual(
      shown.map((a) => a.line),
      ANNOTATED_LINES,
      `one annotation per FROM, WORKDIR and layer line: ${JSON.stringify(shown)}`,
    );
    for (const line of METADATA_LINES)
      assert.equal(
        shown.find((a) => a.line === line),
        undefined,
        `no annotation after the metadata line ${line + 1} (the CMD under a high step says nothing)`,
      );
    for (const a of shown)
      assert.match(a.text, /cache (low|medium|high)/, `line ${a.line + 1} shows the cache risk: "${a.text}"`);
    for (const line of [COPY_ALL, NPM_CI]) {
      const a = shown.find((x) => x.line === line);
      assert.match(
        a?.text ?? '',
        /^≈ \d+(\.\d+)? (B|kB|MB|GB) · /,
        `line ${line + 1} shows an estimated size first: "${a?.text}"`,
      );
    }
    const npm = shown.find((x) => x.line === NPM_CI);
    assert.equal(npm?.level, 'high', '`RUN npm ci` after `COPY . .` re-runs on every source edit: high cache risk');
    assert.equal(npm?.gutter, true, 'high cache risk has a gutter mark');
    assert.equal(shown.find((x) => x.line === FROM)?.gutter, false, 'no gutter mark on a low-risk line');
  });

  test('diagnostics carry rule codes from the layer-insight source', async () => {
    const app = fixture(...APP);
    const appDiags = await until(
      () => diagnosticsOf(app),
      (d) => d.some((x) => codeOf(x) === 'copy-before-install'),
    );
    const cbi = appDiags.find((d) => codeOf(d) === 'copy-before-install');
    assert.ok(
      cbi,
      `copy-before-install reported on app/Dockerfile; got ${appDiags.map(codeOf).join(', ') || 'nothing'}`,
    );
    assert.equal(cbi.range.start.line, COPY_ALL, 'on the `COPY . .` line');

    const qf = fixture('quickfix', 'Dockerfile');
    await open(qf);
    const qfDiags = await until(
      () => diagnosticsOf(qf),
      (d) => d.some((x) => codeOf(x) === 'floating-base-tag'),
    );
    const fbt = qfDiags.find((d) => codeOf(d) === 'floating-base-tag');
    assert.ok(
      fbt,
      `floating-base-tag reported on \`FROM ubuntu:latest\`; got ${qfDiags.map(codeOf).join(', ') || 'nothing'}`,
    );
    assert.equal(fbt.range.start.line, 0);
  });

  // before the hover's content is asserted: the screenshot helps most when an assertion below fails
  test('the hover over `RUN npm ci` shows on screen, beside the annotations (browser runner)', async function () {
    if (!hasDriver) this.skip(); // only the code-server runner can look at the screen (E2E_SHOT_URL)
    const uri = fixture(...APP);
    const editor = await open(uri);
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(NPM_CI, 4, NPM_CI, 4);
    await vscode.commands.executeCommand('editor.action.showHover');
    const hoverShown = await shot('editor-decorations-hover', '.monaco-hover-content strong');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);
    assert.equal(hoverShown, true, 'the hover is on screen');
  });

  test('hovering a step shows its layer size and cache risk', async () => {
    const uri = fixture(...APP);
    await open(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(NPM_CI, 2),
    );
    const text = hoverText(hovers);
    assert.match(
      text,
      /\*\*Layer size:\*\* ≈ \d+(\.\d+)? (B|kB|MB|GB) \(estimate: /,
      `hover shows the estimated size and its basis:\n${text}`,
    );
    assert.match(text, /\*\*Cache risk:\*\* high/, 'hover shows the cache risk');
    assert.match(text, /line 6|COPY \. \./, 'hover names the line that causes the risk');
  });

  test('typing keeps the annotations on screen and updates them for the new text', async () => {
    const li = await api();
    const uri = fixture(...APP);
    const editor = await open(uri);
    const doc = editor.document;
    await until(
      () => li.decorations.versionFor(uri),
      (v) => v === doc.version,
    );
    const renders: { version: number | undefined; docVersion: number; shown: RenderedAnnotation[] }[] = [];
    const sub = li.decorations.onDidRender((u) => {
      if (u === uri.toString())
        renders.push({
          version: li.decorations.versionFor(uri),
          docVersion: doc.version,
          shown: li.decorations.textsFor(uri),
        });
    });
    try {
      // open a line above EXPOSE and type a new instruction into it, one character at a time, like a person
      await editor.edit((b) => b.insert(new vscode.Position(EXPOSE, 0), '\n'));
      const typed = 'RUN echo more';
      let last = 0;
      for (let i = 0; i < typed.length; i++) {
        await editor.edit((b) => b.insert(new vscode.Position(EXPOSE, i), typed[i]));
        last = Date.now();
        assert.ok(
          li.decorations.textsFor(uri).length >= ANNOTATED_LINES.length,
          'annotations stay visible while typing',
        );
        await sleep(40);
      }
      const final = doc.version;
      await until(
        () => li.decorations.versionFor(uri),
        (v) => v === final,
      );
      timings['last keystroke -> decorations of that version'] =
        `${Date.now() - last} ms (upper bound; polled every 50 ms)`;
      const shown = li.decorations.textsFor(uri);
      assert.deepEqual(
        shown.map((a) => a.line),
        [...ANNOTATED_LINES, EXPOSE],
        `the new RUN line is annotated and the lines below moved: ${JSON.stringify(shown)}`,
      );
      assert.match(shown.find((a) => a.line === EXPOSE)?.text ?? '', /cache/, 'the typed RUN line has its annotation');
      assert.ok(renders.length > 0, 'rendered at least once while typing');
      for (const r of renders) {
        assert.ok(r.shown.length > 0, 'never an empty frame while typing');
        assert.equal(
          r.version,
          r.docVersion,
          'only annotations of the current text version are drawn (stale ones are ignored)',
        );
      }
      for (let i = 1; i < renders.length; i++)
        assert.ok((renders[i].version ?? 0) >= (renders[i - 1].version ?? 0), 'versions only move forward');
    } finally {
      sub.dispose();
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  test('the toggle command hides and shows the annotations', async () => {
    const li = await api();
    const uri = fixture(...APP);
    await open(uri);
    const shownBefore = await until(
      () => li.decorations.textsFor(uri).length,
      (n) => n > 0,
    );
    await vscode.commands.executeCommand('layerInsight.toggleDecorations');
    const hidden = await until(
      () => li.decorations.textsFor(uri).length,
      (n) => n === 0,
      5000,
    );
    assert.equal(hidden, 0, 'no annotations after toggling off');
    assert.equal(
      vscode.workspace.getConfiguration('layerInsight').get('decorations.enabled'),
      false,
      'the setting follows the toggle',
    );
    await vscode.commands.executeCommand('layerInsight.toggleDecorations');
    const back = await until(
      () => li.decorations.textsFor(uri).length,
      (n) => n === shownBefore,
      5000,
    );
    assert.equal(back, shownBefore, 'annotations back after toggling on');
  });
});
