// The commands (all under the "Layer Insight" category in the palette): build with progress and cancel, map a
// local image, toggle the line annotations, refresh the history view, pick the engine, the status-bar menu, and
// forecast the next build (forecastStatus.ts).
// Builds and image mapping talk to a Docker engine, so they never run in an untrusted workspace.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  BuildProgressNotification,
  BuildRequest,
  CancelBuildNotification,
  MapImageRequest,
  type BuildParams,
  type BuildProgressParams,
  type BuildResult,
  type MapImageParams,
} from '../../server/src/protocol';
import type { AnnotationDecorations } from './decorations';
import { REVEAL_COMMAND, type HistoryView } from './historyView';
import { builder, setDecorationsEnabled, setEngine } from './settings';
import { FORECAST_COMMAND, forecastCommand, type ForecastStatusBar } from './forecastStatus';
import { ENGINE_ACTIONS_COMMAND, type EngineStatusBar } from './statusBar';

export const COMMANDS = {
  build: 'layerInsight.build',
  mapImage: 'layerInsight.mapImage',
  toggleDecorations: 'layerInsight.toggleDecorations',
  refreshHistory: 'layerInsight.refreshHistory',
  pickEngine: 'layerInsight.pickEngine',
  engineActions: ENGINE_ACTIONS_COMMAND,
  revealLine: REVEAL_COMMAND,
  forecast: FORECAST_COMMAND,
} as const;

export interface Views {
  client: LanguageClient;
  decorations: AnnotationDecorations;
  history: HistoryView;
  status: EngineStatusBar;
  forecast: ForecastStatusBar;
}

/** What the build command keeps between runs: the documents being built, and who listens to build progress. */
interface Builds {
  running: Set<string>;
  progressListeners: Set<(p: BuildProgressParams) => void>;
}

type Command = Parameters<typeof vscode.commands.registerCommand>[1];

export function registerCommands(views: Views): vscode.Disposable {
  const { client, decorations, history, status } = views;
  const builds: Builds = { running: new Set(), progressListeners: new Set() };
  const commands: Record<string, Command> = {
    [COMMANDS.build]: (arg?: unknown) => build(views, builds, arg),
    [COMMANDS.mapImage]: (arg?: unknown, imageArg?: unknown) => mapImage(views, arg, imageArg),
    [COMMANDS.toggleDecorations]: () => setDecorationsEnabled(!decorations.enabled),
    [COMMANDS.refreshHistory]: () => history.refresh(),
    [COMMANDS.pickEngine]: () => pickEngine(status),
    [COMMANDS.engineActions]: () => engineActions(views),
    [COMMANDS.revealLine]: revealLine,
    [COMMANDS.forecast]: (arg?: unknown) => forecastCommand(views.forecast, commandTarget(history, arg)),
  };
  return vscode.Disposable.from(
    client.onNotification(BuildProgressNotification, (p) => builds.progressListeners.forEach((l) => l(p))),
    ...Object.entries(commands).map(([id, run]) => vscode.commands.registerCommand(id, run)),
  );
}

/** The Dockerfile a command acts on: an explicit argument, the active editor, or the one the history shows. */
function commandTarget(history: HistoryView, arg?: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.parse(arg);
  const e = vscode.window.activeTextEditor;
  if (e?.document.languageId === 'dockerfile') return e.document.uri;
  const shown = history.currentUri();
  return shown ? vscode.Uri.parse(shown) : undefined;
}

/** True in a trusted workspace; else says why `what` does not run, offering to manage trust. */
async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const pick = await vscode.window.showWarningMessage(
    `Layer Insight does not ${what} in an untrusted workspace: only the static analysis runs. Trust this folder to use a Docker engine.`,
    manage,
  );
  if (pick === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** Builds the Dockerfile (saved first) with a cancellable progress notification; then refreshes the history. */
async function build(views: Views, builds: Builds, arg?: unknown): Promise<BuildResult | undefined> {
  const { client, history, status } = views;
  const uri = commandTarget(history, arg);
  if (!uri) {
    void vscode.window.showInformationMessage('Layer Insight: open a Dockerfile to build it.');
    return undefined;
  }
  if (!(await requireTrust('build images'))) return undefined;
  const key = uri.toString();
  if (builds.running.has(key)) {
    void vscode.window.showInformationMessage(`Layer Insight: ${path.basename(uri.fsPath)} is already being built.`);
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  if (doc?.isDirty) await doc.save(); // the engine builds what is on disk
  builds.running.add(key);
  status.setBuilding(true);
  try {
    const result = await buildWithProgress(client, builds, uri);
    if (result.ok) void vscode.window.showInformationMessage(`Layer Insight: ${result.message}`);
    else void vscode.window.showErrorMessage(`Layer Insight: ${result.message}`);
    return result;
  } catch (e) {
    const message =
      e instanceof vscode.CancellationError || (e as { code?: number }).code === -32800
        ? 'build cancelled'
        : `build failed: ${e instanceof Error ? e.message : String(e)}`;
    void vscode.window.showWarningMessage(`Layer Insight: ${message}`);
    return { ok: false, message };
  } finally {
    builds.running.delete(key);
    status.setBuilding(false);
    await history.refresh();
  }
}

/** Sends the build request under a progress notification fed by the server's build progress; Cancel cancels it. */
function buildWithProgress(client: LanguageClient, builds: Builds, uri: vscode.Uri): Thenable<BuildResult> {
  const key = uri.toString();
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Building ${path.basename(uri.fsPath)}`,
      cancellable: true,
    },
    async (progress, token) => {
      let reported = 0;
      const onProgress = (p: BuildProgressParams): void => {
        if (p.uri !== key) return;
        let increment: number | undefined;
        if (p.step !== undefined && p.total) {
          const pct = Math.min(100, (100 * p.step) / p.total);
          increment = Math.max(0, pct - reported);
          reported = Math.max(reported, pct);
        }
        progress.report({ message: p.message.slice(0, 200), increment });
      };
      builds.progressListeners.add(onProgress);
      const cancel = token.onCancellationRequested(
        () => void client.sendNotification(CancelBuildNotification, { uri: key }),
      );
      try {
        const params: BuildParams = { uri: key, builder: builder() };
        return await client.sendRequest(BuildRequest, params, token);
      } finally {
        cancel.dispose();
        builds.progressListeners.delete(onProgress);
      }
    },
  );
}

/** Maps a local image (the argument, else asked for) to the Dockerfile; then refreshes the history. */
async function mapImage(views: Views, arg?: unknown, imageArg?: unknown): Promise<BuildResult | undefined> {
  const { client, history } = views;
  const uri = commandTarget(history, arg);
  if (!uri) {
    void vscode.window.showInformationMessage('Layer Insight: open a Dockerfile to map an image to it.');
    return undefined;
  }
  if (!(await requireTrust('read local images'))) return undefined;
  const image =
    typeof imageArg === 'string'
      ? imageArg
      : await vscode.window.showInputBox({
          title: `Map a local image to ${path.basename(uri.fsPath)}`,
          prompt: 'A local image built from this Dockerfile: its measured layer sizes replace the estimates.',
          placeHolder: 'name:tag or image ID',
          validateInput: (v) => (v.trim() ? undefined : 'an image name or ID'),
        });
  if (!image) return undefined;
  try {
    const params: MapImageParams = { uri: uri.toString(), image: image.trim() };
    const result = await client.sendRequest(MapImageRequest, params);
    if (!result.ok) void vscode.window.showErrorMessage(`Layer Insight: ${result.message}`);
    return result;
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Layer Insight: could not map ${image}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return { ok: false, message: String(e) };
  } finally {
    await history.refresh();
  }
}

/** Picks the engine: automatic, a host typed in, or off (written to the settings). */
async function pickEngine(status: EngineStatusBar): Promise<void> {
  type Item = vscode.QuickPickItem & { mode: 'auto' | 'off' | 'host' };
  const items: Item[] = [
    {
      label: '$(search) Automatic',
      description: 'DOCKER_HOST, the current docker context, or the default socket',
      mode: 'auto',
    },
    {
      label: '$(plug) Enter an engine host…',
      description: 'unix:///path/docker.sock, tcp://host:2376, ssh://user@host',
      mode: 'host',
    },
    { label: '$(circle-slash) Off', description: 'estimates only: never contact an engine', mode: 'off' },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Docker engine for Layer Insight',
    placeHolder: status.state.message,
  });
  if (!pick) return;
  if (pick.mode === 'host') {
    const host = await vscode.window.showInputBox({
      title: 'Docker engine host',
      value: status.state.host,
      placeHolder: 'unix:///var/run/docker.sock',
    });
    if (host?.trim()) await setEngine('on', host.trim());
  } else {
    await setEngine(pick.mode, null);
  }
}

/** The status-bar menu: build, map an image, pick the engine, show or hide the line annotations. */
async function engineActions({ decorations, status }: Views): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    {
      label: '$(play) Build the image',
      description: 'of the active Dockerfile, to measure its layers',
      command: COMMANDS.build,
    },
    {
      label: '$(link) Map a local image…',
      description: 'use an image you built already',
      command: COMMANDS.mapImage,
    },
    {
      label: '$(vm) Pick the Docker engine…',
      description: status.state.host || undefined,
      command: COMMANDS.pickEngine,
    },
    {
      label: decorations.enabled ? '$(eye-closed) Hide line annotations' : '$(eye) Show line annotations',
      command: COMMANDS.toggleDecorations,
    },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Layer Insight',
    placeHolder: status.state.message,
  });
  if (pick) await vscode.commands.executeCommand(pick.command);
}

/** Opens the document and selects lines line..endLine (1-based), as the history view's items do. */
async function revealLine(uri: string, line: number, endLine?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false });
  const last = Math.min(Math.max(endLine ?? line, line), doc.lineCount) - 1;
  const range = new vscode.Range(line - 1, 0, last, doc.lineAt(last).range.end.character);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
