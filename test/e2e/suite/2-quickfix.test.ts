/// <reference types="mocha" />
// A rule's quick fix, offered in the editor's Quick Fix menu, applied, and its diagnostic gone.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, codeOf, diagnosticsOf, fixture, open, shot, sleep, until } from './helpers';

suite('Quick fix', () => {
  suiteSetup(closeAll);
  suiteTeardown(closeAll);

  test('the floating-base-tag fix pins the tag and its diagnostic goes away', async () => {
    const uri = fixture('quickfix', 'Dockerfile');
    const editor = await open(uri);
    const diags = await until(() => diagnosticsOf(uri), (d) => d.some((x) => codeOf(x) === 'floating-base-tag'));
    const diag = diags.find((d) => codeOf(d) === 'floating-base-tag');
    assert.ok(diag, `floating-base-tag reported; got ${diags.map(codeOf).join(', ') || 'nothing'}`);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider', uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fixes = actions.filter((a) => a.diagnostics?.some((d) => codeOf(d) === 'floating-base-tag') && a.edit);
    assert.ok(fixes.length > 0, `a quick fix for floating-base-tag; offered: ${actions.map((a) => a.title).join(' | ') || 'none'}`);

    // screenshot: the Quick Fix menu as a person opens it (Ctrl+.)
    editor.selection = new vscode.Selection(diag.range.start, diag.range.start);
    await vscode.commands.executeCommand('editor.action.quickFix');
    await sleep(1200);
    await shot('quickfix-menu');
    await vscode.commands.executeCommand('hideCodeActionWidget').then(undefined, () => undefined);

    const fix = fixes.find((a) => a.isPreferred) ?? fixes[0];
    const before = editor.document.lineAt(0).text;
    assert.ok(await vscode.workspace.applyEdit(fix.edit!), `applied "${fix.title}"`);
    const after = editor.document.lineAt(0).text;
    assert.notEqual(after, before, 'the FROM line changed');
    assert.doesNotMatch(after, /:latest\b/, `no floating tag any more: ${after}`);
    const left = await until(() => diagnosticsOf(uri), (d) => !d.some((x) => codeOf(x) === 'floating-base-tag'));
    assert.ok(!left.some((x) => codeOf(x) === 'floating-base-tag'), `floating-base-tag gone after "${fix.title}"`);
  });
});
