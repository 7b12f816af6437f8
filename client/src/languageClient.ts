// The language client: starts the bundled server over Node IPC and keeps it told about the settings and the
// workspace trust. Everything the user sees is computed by the server; the client only renders it.

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SECTION, serverSettings } from './settings';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    // build records (for the next-build forecast) go to this workspace's storage
    initializationOptions: {
      annotations: true,
      settings: serverSettings(),
      storageDir: (context.storageUri ?? context.globalStorageUri).fsPath,
    },
    synchronize: {
      // the build context (.dockerignore, sources a COPY reads) changes the estimates
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*'),
    },
  };
  return new LanguageClient('layerInsight', 'Dockerfile Layer Insight', serverOptions, clientOptions);
}

/** Sends the layerInsight.* settings, with the current trust, whenever either changes (the server got the first
 * ones in initializationOptions). */
export function syncSettings(client: LanguageClient): vscode.Disposable {
  const send = (): void => {
    if (!client.isRunning()) return;
    void client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: serverSettings() },
    });
  };
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) send();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(send),
  );
}
