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

/** The browser-side runner (code-server + Chromium) answers at E2E_SHOT_URL; other runners have none. */
export const hasDriver = Boolean(process.env.E2E_SHOT_URL);

/**
 * Asks the runner for a screenshot of the whole window, after waiting up to `timeout` ms for an element matching
 * `waitFor` to be visible. Resolves to whether it appeared (true when not asked; undefined without a runner).
 */
export async function shot(name: string, waitFor?: string, timeout = 10_000): Promise<boolean | undefined> {
  const url = process.env.E2E_SHOT_URL;
  if (!url) return undefined;
  const q = new URLSearchParams({ name, ...(waitFor ? { waitFor, timeout: String(timeout) } : {}) });
  const res = await fetch(`${url}?${q}`);
  if (!res.ok) throw new Error(`screenshot ${name} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { found: boolean | null };
  return body.found ?? true;
}

/** Presses keys in the browser (Playwright key names, e.g. "Control+Period"). No-op without a runner. */
export async function press(key: string): Promise<void> {
  const url = process.env.E2E_SHOT_URL;
  if (!url) return;
  await fetch(new URL(`/press?key=${encodeURIComponent(key)}`, url));
}

/** Drags the side bar to `width` pixels (a person would; VS Code has no command for it). No-op without a runner. */
export async function sidebarWidth(width: number): Promise<void> {
  const url = process.env.E2E_SHOT_URL;
  if (!url) return;
  await fetch(new URL(`/sidebar?width=${width}`, url)).catch(() => undefined);
}

/** Figures that the run prints at the end (activation time, open-to-decorations time, ...). */
export const timings: Record<string, string> = {};

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c))))
    .join('\n');
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
