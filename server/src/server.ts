// LSP wiring only: connection, documents, capabilities; each handler is a few lines over the cached analysis.
// Runs over stdio (`layer-insight lsp --stdio`) or Node IPC (the VS Code client); main.ts is the process entry.

import {
  DidChangeConfigurationNotification, TextDocuments, TextDocumentSyncKind,
  type Connection, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  AnnotationsNotification, BuildProgressNotification, BuildRequest, CancelBuildNotification, EngineStateNotification,
  EngineStateRequest, HistoryRequest, MapImageRequest,
  type BuildParams, type CancelBuildParams, type HistoryParams, type InitializationOptions, type MapImageParams, type ServerSettings,
} from './protocol';
import { EngineService } from './engine/service';
import { annotations, codeActions, diagnostics, hover, inlayHints } from './lsp/features';
import { AnalysisStore, type Entry } from './lsp/store';
import { createServerConnection } from './lsp/connection';
import { applySettings, DEFAULT_SETTINGS } from './lsp/settings';
import { tuneServerHeap } from './lsp/heap';

export function startServer(connection: Connection = createServerConnection()): Connection {
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
  }, { trusted: () => settings.trusted }); // an untrusted workspace runs no git
  // the engine side (protocol.ts): state, builds, image mapping, history tree; measured facts go to the store
  const engine = new EngineService({
    settings: () => settings,
    setMeasured: (uri, m) => store.setMeasured(uri, m),
    text: (uri) => documents.get(uri)?.getText(),
    sendState: (s) => void connection.sendNotification(EngineStateNotification, s),
    sendProgress: (p) => void connection.sendNotification(BuildProgressNotification, p),
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
    engine.start();
    void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });
  connection.onDidChangeConfiguration((change) => {
    const section = (change.settings as { layerInsight?: Partial<ServerSettings> } | null)?.layerInsight;
    if (!section) return;
    settings = applySettings(settings, section);
    store.options = { disabledRules: settings.rules.disabled, severities: settings.rules.severity };
    store.invalidate();
    documents.all().forEach(publish);
    engine.settingsChanged();
  });

  documents.onDidChangeContent((e) => {
    engine.documentChanged(e.document.uri, e.document.getText());
    publish(e.document);
  });
  documents.onDidClose((e) => {
    engine.closed(e.document.uri);
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

  connection.onRequest(EngineStateRequest, () => engine.getState());
  connection.onRequest(BuildRequest, (p: BuildParams) => engine.build(p));
  connection.onNotification(CancelBuildNotification, (p: CancelBuildParams) => engine.cancelBuild(p.uri));
  connection.onRequest(MapImageRequest, (p: MapImageParams) => engine.mapImage(p));
  connection.onRequest(HistoryRequest, (p: HistoryParams) => engine.history(p));
  connection.onShutdown(() => engine.dispose());

  documents.listen(connection);
  connection.listen();
  return connection;
}

/** The language server as a process of its own (dist/server.js, `layer-insight lsp`): its heap settings, then the server. */
export function runServerProcess(): Connection {
  tuneServerHeap();
  return startServer();
}
