// LSP wiring only: connection, documents, capabilities; each handler is a few lines over the cached analysis.
// Runs over stdio (`layer-insight lsp --stdio`) or Node IPC (the VS Code client).

import {
  createConnection, DidChangeConfigurationNotification, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnnotationsNotification, type InitializationOptions, type ServerSettings } from './protocol';
import { annotations, codeActions, diagnostics, hover, inlayHints } from './lsp/features';
import { AnalysisStore, type Entry } from './lsp/store';
import { applySettings, DEFAULT_SETTINGS } from './lsp/settings';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let sendsAnnotations = false;
  let canRefreshInlayHints = false;

  const publish = (doc: TextDocument): void => {
    const entry = current(doc);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: diagnostics(entry) });
    if (sendsAnnotations) void connection.sendNotification(AnnotationsNotification, annotations(entry));
  };
  const store = new AnalysisStore((uri) => {
    const doc = documents.get(uri);
    if (doc) publish(doc);
    if (canRefreshInlayHints && settings.inlayHints) void connection.languages.inlayHint.refresh();
  });
  const current = (doc: TextDocument): Entry => store.get(doc.uri, doc.version, () => doc.getText());
  const entryFor = (uri: string): Entry | undefined => {
    const doc = documents.get(uri);
    return doc ? current(doc) : undefined;
  };

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions & { annotations?: boolean };
    settings = applySettings(DEFAULT_SETTINGS, init.settings);
    store.options = { disabledRules: settings.rules.disabled, severities: settings.rules.severity };
    sendsAnnotations = init.annotations === true;
    canRefreshInlayHints = Boolean(params.capabilities.workspace?.inlayHint?.refreshSupport);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'layer-insight' },
    };
  });
  connection.onInitialized(() => {
    void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });
  connection.onDidChangeConfiguration((change) => {
    const section = (change.settings as { layerInsight?: Partial<ServerSettings> } | null)?.layerInsight;
    if (!section) return;
    settings = applySettings(settings, section);
    store.options = { disabledRules: settings.rules.disabled, severities: settings.rules.severity };
    store.invalidate();
    documents.all().forEach(publish);
  });

  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => {
    store.close(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p) => {
    const entry = entryFor(p.textDocument.uri);
    return entry ? hover(entry, p.position) : null;
  });
  connection.onCodeAction((p) => {
    const entry = entryFor(p.textDocument.uri);
    return entry ? codeActions(entry, p.range) : [];
  });
  connection.languages.inlayHint.on((p) => {
    const entry = settings.inlayHints ? entryFor(p.textDocument.uri) : undefined;
    return entry ? inlayHints(entry, p.range) : [];
  });
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) store.contextChangedFor(c.uri);
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

if (require.main === module) startServer();
