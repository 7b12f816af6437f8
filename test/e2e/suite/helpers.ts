// Helpers for the e2e tests, which run inside VS Code's extension host (code-server here, Electron on a desktop).

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LayerInsightApi } from '../../../client/src/extension';

export const EXTENSION_ID = 'layer-insight.dockerfile-layer-insight';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until `ok` holds or `ms` pass; returns the last value (the caller asserts on it). */
export async function until<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000, every = 50): Promise<T> {
  const end = Date.now() + ms;
  let v = await get();
  while (!ok(v) && Date.now() < end) {
    await sleep(every);
    v = await get();
  }
  return v;
}

export async function api(): Promise<LayerInsightApi> {
  const ext = vscode.extensions.getExtension<LayerInsightApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function fixture(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Asks the runner for a screenshot of the whole window (a no-op where no runner serves E2E_SHOT_URL). */
export async function shot(name: string): Promise<void> {
  const url = process.env.E2E_SHOT_URL;
  if (!url) return;
  try {
    const res = await fetch(`${url}?name=${encodeURIComponent(name)}`);
    if (!res.ok) console.log(`    (screenshot ${name} failed: ${res.status} ${await res.text()})`);
  } catch (e) {
    console.log(`    (screenshot ${name} failed: ${String(e)})`);
  }
}

/** Figures that the run prints at the end (activation time, open-to-decorations time, ...). */
export const timings: Record<string, string> = {};

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))).join('\n');
}

export function diagnosticsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'layer-insight');
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

/** Closes every editor without saving: the fixtures stay as they are on disk. */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file') {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
