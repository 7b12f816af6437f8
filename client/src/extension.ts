// activate(): start the language client and register the views and commands; nothing else.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient }> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    initializationOptions: { annotations: true, settings: { inlayHints: false, trusted: vscode.workspace.isTrusted } },
    synchronize: { configurationSection: 'layerInsight' },
  };
  client = new LanguageClient('layerInsight', 'Dockerfile Layer Insight', serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push({ dispose: () => void client?.stop() });
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
