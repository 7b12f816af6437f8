/// <reference types="mocha" />
// A rule's quick fix, offered in the editor's Quick Fix menu, applied, and its diagnostic gone.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, diagnosticsOf, fixture, hasDriver, open, press, shot, sleep, until } from './helpers';

const RULE = 'copy-before-install';

suite('Quick fix', () => {
  suiteSetup(closeAll);
  suiteTeardown(closeAll);

  test('the copy-before-install fix reorders the COPY, its diagnostic goes away and npm ci is no longer high risk', async () => {
    const li = await api();
    const uri = fixture('app', 'Dockerfile');
    const editor = await open(uri);
    const diags = await until(
      () => diagnosticsOf(uri),
      (d) => d.some((x) => codeOf(x) === RULE),
    );
    const diag = diags.find((d) => codeOf(d) === RULE);
    assert.ok(diag, `${RULE} reported; got ${diags.map(codeOf).join(', ') || 'nothing'}`);

    // screenshot: the Quick Fix menu as a person opens it (Ctrl+.) on the diagnostic
    editor.selection = new vscode.Selection(diag.range.start, diag.range.start);
    await sleep(1000); // let the light bulb compute
    if (hasDriver) await press('Control+Period');
    else await vscode.commands.executeCommand('editor.action.quickFix');
    // on a loaded machine the menu can take several seconds (it waits for the server's code actions)
    const menu = await shot('quickfix-menu', '.action-widget .monaco-list-row', 15_000);
    // Not asserted: under load the menu sometimes renders only after the wait; the actions are asserted below.
    if (menu === false) console.log('    note: the Quick Fix menu did not render for the screenshot');
    if (hasDriver) await press('Escape');
    await vscode.commands.executeCommand('hideCodeActionWidget').then(undefined, () => undefined);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    // (the API command drops CodeAction.diagnostics; the actions with an edit at this range are the server's fixes)
    const fixes = actions.filter(
      (a) => a.edit && (a.diagnostics === undefined || a.diagnostics.some((d) => codeOf(d) === RULE)),
    );
    assert.ok(
      fixes.length > 0,
      `a quick fix for ${RULE}; offered: ${actions.map((a) => a.title).join(' | ') || 'none'}`,
    );
    const fix = fixes.find((a) => a.isPreferred) ?? fixes[0];
    try {
      assert.ok(await vscode.workspace.applyEdit(fix.edit!), `applied "${fix.title}"`);
      const text = editor.document.getText();
      const manifests = text.search(/^COPY package(\.json| )/m);
      const install = text.search(/^RUN npm ci/m);
      const rest = text.search(/^COPY \. \./m);
      assert.ok(manifests >= 0 && manifests < install && install < rest, `manifests, install, then the rest:\n${text}`);

      const left = await until(
        () => diagnosticsOf(uri),
        (d) => !d.some((x) => codeOf(x) === RULE),
      );
      assert.ok(!left.some((x) => codeOf(x) === RULE), `${RULE} gone after "${fix.title}"`);
      const npmLine = editor.document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith('RUN npm ci'));
      const shown = await until(
        () => li.decorations.textsFor(uri),
        (a) => a.some((x) => x.line === npmLine && x.level !== 'high'),
      );
      const npm = shown.find((x) => x.line === npmLine);
      assert.ok(npm, `the RUN npm ci line (${npmLine}) has an annotation: ${JSON.stringify(shown)}`);
      assert.notEqual(npm.level, 'high', `npm ci no longer re-runs on source edits: ${JSON.stringify(shown)}`);
    } finally {
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});
