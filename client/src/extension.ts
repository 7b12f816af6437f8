// activate(): start the language client and register the views and commands; nothing else.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { AnnotationDecorations } from './decorations';
import { HistoryView } from './historyView';
import { createLanguageClient, syncSettings } from './languageClient';
import { ForecastStatusBar } from './forecastStatus';
import { EngineStatusBar } from './statusBar';

/** What the extension exports: for other extensions and for the e2e tests (a read-back of what is shown). */
export interface LayerInsightApi {
  client: LanguageClient;
  decorations: AnnotationDecorations;
  history: HistoryView;
  status: EngineStatusBar;
  /** The next build in the status bar. */
  forecast: ForecastStatusBar;
  /** Milliseconds from activate() being called until the language server answered initialize. */
  activationMs: number;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<LayerInsightApi> {
  const started = Date.now();
  client = createLanguageClient(context);
  const decorations = new AnnotationDecorations(client, context.extensionUri);
  const history = new HistoryView(client);
  const status = new EngineStatusBar(client);
  const forecast = new ForecastStatusBar(client, decorations);
  context.subscriptions.push(
    decorations,
    history,
    status,
    forecast,
    registerCommands({ client, decorations, history, status, forecast }),
    status.onDidChange((s) => history.setEngineState(s)),
    decorations.onDidReceive((p) => history.annotationsArrived(p)),
  );
  await client.start();
  context.subscriptions.push(syncSettings(client), { dispose: () => void client?.stop() });
  void status.query();
  return { client, decorations, history, status, forecast, activationMs: Date.now() - started };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
