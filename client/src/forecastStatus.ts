// The next build in the status bar: "next build: 4 steps, ~3m40s" while a Dockerfile whose build was recorded is the
// active editor (from the forecast in the server's annotations, so it follows every save of the Dockerfile or of a
// file in its context); hidden when there is no forecast. The tooltip lists the lines and why they re-run; a click
// runs "Layer Insight: Forecast the Next Build", which asks the server to read the files again now.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Forecast, StepForecast } from '../../server/src/analysis/model';
import { ForecastRequest, type AnnotationsParams, type ForecastResult } from '../../server/src/protocol';
import { forecastDetails, forecastLine, forecastSince, forecastSummary } from '../../server/src/report/forecastText';
import type { AnnotationDecorations } from './decorations';

export const FORECAST_COMMAND = 'layerInsight.forecast';

/** What the status bar knows of one document: its forecast and the per-step causes, by line. */
interface Known {
  forecast: Forecast | null;
  steps: Map<number, StepForecast>;
}

export class ForecastStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'layerInsight.forecast',
    vscode.StatusBarAlignment.Right,
    99, // just right of the engine item
  );
  private readonly known = new Map<string, Known>();
  private visible = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly client: LanguageClient,
    decorations: AnnotationDecorations,
  ) {
    this.item.name = 'Layer Insight next build';
    this.item.command = FORECAST_COMMAND;
    this.disposables.push(
      this.item,
      decorations.onDidReceive((p) => this.received(p)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.known.delete(d.uri.toString())),
    );
    this.render();
  }

  /** The text shown now ('' when hidden): for tests and the extension's API. */
  get text(): string {
    return this.visible ? this.item.text : '';
  }

  /** The tooltip's plain text ('' when hidden). */
  get tooltipText(): string {
    const t = this.item.tooltip;
    return !this.visible ? '' : typeof t === 'string' ? t : (t?.value ?? '');
  }

  /** The per-step forecasts of this document, by line, from its latest annotations. */
  stepsFor(uri: vscode.Uri | string): Map<number, StepForecast> {
    return this.known.get(uri.toString())?.steps ?? new Map<number, StepForecast>();
  }

  /** The forecast of this document as last received (null: no build recorded; undefined: not known). */
  forecastFor(uri: vscode.Uri | string): Forecast | null | undefined {
    return this.known.get(uri.toString())?.forecast;
  }

  private received(p: AnnotationsParams): void {
    if (p.forecast === undefined) this.known.delete(p.uri);
    else this.set(p.uri, p.forecast, stepsOf(p));
    this.render();
  }

  private set(uri: string, forecast: Forecast | null, steps: Map<number, StepForecast>): void {
    this.known.set(uri, { forecast, steps });
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const k = doc?.languageId === 'dockerfile' ? this.known.get(doc.uri.toString()) : undefined;
    const f = k?.forecast;
    if (!f) {
      this.visible = false;
      this.item.hide();
      return;
    }
    const rerun = f.lines.length > 0;
    this.item.text = `${rerun ? '$(debug-restart)' : '$(check)'} ${forecastSummary(f)}`;
    const tip = new vscode.MarkdownString();
    // plain text: the causes quote file names from the workspace
    tip.appendText(forecastDetails(f, k.steps).join('\n'));
    tip.appendMarkdown('\n\nClick to read the files again and forecast now (no build starts).');
    this.item.tooltip = tip;
    this.visible = true;
    this.item.show();
  }

  /** Asks the server for a fresh forecast of the document, shows it here, and returns it. */
  async request(uri: vscode.Uri): Promise<ForecastResult> {
    const result = await this.client.sendRequest(ForecastRequest, { uri: uri.toString() });
    this.set(uri.toString(), result.forecast, this.stepsFor(uri));
    this.render();
    return result;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

function stepsOf(p: AnnotationsParams): Map<number, StepForecast> {
  const out = new Map<number, StepForecast>();
  for (const s of p.steps) if (s.forecast) out.set(s.line, s.forecast);
  return out;
}

/**
 * The command: forecasts the active (or given) Dockerfile now and shows the result: the steps that re-run in a
 * list (picking one reveals its line), or a message when nothing re-runs or no build was recorded.
 */
export async function forecastCommand(
  status: ForecastStatusBar,
  uri: vscode.Uri | undefined,
): Promise<ForecastResult | undefined> {
  if (!uri) {
    void vscode.window.showInformationMessage('Layer Insight: open a Dockerfile to forecast its next build.');
    return undefined;
  }
  let result: ForecastResult;
  try {
    result = await status.request(uri);
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Layer Insight: could not forecast the next build: ${e instanceof Error ? e.message : String(e)}`,
    );
    return undefined;
  }
  const f = result.forecast;
  if (!f) {
    void vscode.window.showInformationMessage(
      `Layer Insight: no forecast: ${result.reason ?? 'no build of this Dockerfile was recorded yet'}. Build it once to compare later changes with.`,
    );
    return result;
  }
  if (f.lines.length === 0) {
    void vscode.window.showInformationMessage(`Layer Insight: ${forecastSummary(f)} (${forecastSince(f)}).`);
    return result;
  }
  void pickLine(uri, f, status);
  return result;
}

/** The re-run steps in a quick pick; picking one reveals its line. Does not wait for the pick. */
async function pickLine(uri: vscode.Uri, f: Forecast, status: ForecastStatusBar): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const steps = status.stepsFor(uri);
  const items = f.lines.map((line) => ({
    label: doc
      .lineAt(Math.min(line, doc.lineCount) - 1)
      .text.trim()
      .slice(0, 80),
    description: forecastLine(line, steps.get(line)),
    line,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: `Layer Insight: ${forecastSummary(f)}`,
    placeHolder: [forecastSince(f), ...f.notes].join(' · '),
  });
  if (pick) await vscode.commands.executeCommand('layerInsight.revealLine', uri.toString(), pick.line);
}
