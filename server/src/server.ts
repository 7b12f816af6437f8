// LSP wiring only: connection, documents, capabilities; each handler is a few lines over the cached analysis.
// Runs over stdio (`layer-insight lsp --stdio`) or Node IPC (the VS Code client); main.ts is the process entry.
// Every request checks its parameters (InvalidParams) and turns a failure into an error response with a log line;
// an analysis that throws gives its document no results (lsp/publish.ts); runServerProcess adds the process-level
// handlers (lsp/guard.ts), so no single document ends the server.

import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeActionParams,
  type Connection,
  type HoverParams,
  type InitializeResult,
  type InlayHintParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  AnnotationsNotification,
  BuildProgressNotification,
  BuildRequest,
  CancelBuildNotification,
  EngineStateNotification,
  EngineStateRequest,
  HistoryRequest,
  MapImageRequest,
  type BuildParams,
  type CancelBuildParams,
  type HistoryParams,
  type InitializationOptions,
  type MapImageParams,
  type ServerSettings,
} from './protocol';
import { EngineService } from './engine/service';
import { annotations, codeActions, diagnostics, hover, inlayHints } from './lsp/features';
import { AnalysisStore } from './lsp/store';
import { createServerConnection, type ServerTransport } from './lsp/connection';
import { describe, installProcessGuards } from './lsp/guard';
import {
  buildParams,
  mapImageParams,
  positionParams,
  rangeParams,
  requireParams,
  uriParams,
  type Check,
} from './lsp/params';
import { Publisher } from './lsp/publish';
import { applySettings, DEFAULT_SETTINGS } from './lsp/settings';
import { tuneServerHeap } from './lsp/heap';

// eslint-disable-next-line max-lines-per-function -- TODO(issue 13): split
export function startServer(transport: ServerTransport = createServerConnection()): Connection {
  const { connection, incoming } = transport;
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let sendsAnnotations = false;
  let canRefreshInlayHints = false;
  const log = (text: string): void => connection.console.error(`layer-insight: ${text}`);

  const store = new AnalysisStore(
    (uri) => {
      const doc = documents.get(uri);
      if (doc) publisher.request(doc);
      if (canRefreshInlayHints && settings.inlayHints) void connection.languages.inlayHint.refresh();
    },
    { trusted: () => settings.trusted },
  ); // an untrusted workspace runs no git
  // the engine side (protocol.ts): state, builds, image mapping, history tree; measured facts go to the store
  const engine = new EngineService({
    settings: () => settings,
    setMeasured: (uri, m) => store.setMeasured(uri, m),
    text: (uri) => documents.get(uri)?.getText(),
    sendState: (s) => void connection.sendNotification(EngineStateNotification, s),
    sendProgress: (p) => void connection.sendNotification(BuildProgressNotification, p),
  });
  // diagnostics of the latest version only, once per version; an analysis that throws gives empty results
  const publisher = new Publisher({
    store,
    incoming,
    log,
    document: (uri) => documents.get(uri),
    beforeAnalysis: (doc) => engine.documentChanged(doc.uri, doc.getText()),
    send: (doc, entry) => {
      void connection.sendDiagnostics({
        uri: doc.uri,
        version: doc.version,
        diagnostics: entry ? diagnostics(entry) : [],
      });
      if (sendsAnnotations) {
        void connection.sendNotification(
          AnnotationsNotification,
          entry ? annotations(entry) : { uri: doc.uri, version: doc.version, steps: [], image: null, mode: 'estimate' },
        );
      }
    },
  });
  const entryFor = (uri: string) => publisher.entryFor(uri);
  const answer = answering(log);

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
    publisher.reset();
    documents.all().forEach((doc) => publisher.request(doc));
    engine.settingsChanged();
  });

  // a burst of edits is analysed once, for its last version (lsp/publish.ts)
  documents.onDidChangeContent((e) => publisher.request(e.document));
  documents.onDidClose((e) => {
    engine.closed(e.document.uri);
    store.close(e.document.uri);
    publisher.closed(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(
    answer('textDocument/hover', positionParams, (p: HoverParams) => {
      const entry = entryFor(p.textDocument.uri);
      return entry ? hover(entry, p.position) : null;
    }),
  );
  connection.onCodeAction(
    answer('textDocument/codeAction', rangeParams, (p: CodeActionParams) => {
      const entry = entryFor(p.textDocument.uri);
      return entry ? codeActions(entry, p.range) : [];
    }),
  );
  connection.languages.inlayHint.on(
    answer('textDocument/inlayHint', rangeParams, (p: InlayHintParams) => {
      const entry = settings.inlayHints ? entryFor(p.textDocument.uri) : undefined;
      return entry ? inlayHints(entry, p.range) : [];
    }),
  );
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) store.contextChangedFor(c.uri);
  });

  connection.onRequest(EngineStateRequest, () => engine.getState());
  connection.onRequest(
    BuildRequest,
    answer(BuildRequest, buildParams, (p: BuildParams) => engine.build(p)),
  );
  connection.onNotification(CancelBuildNotification, (p: CancelBuildParams) => {
    if (uriParams()(p) === null) engine.cancelBuild(p.uri);
  });
  connection.onRequest(
    MapImageRequest,
    answer(MapImageRequest, mapImageParams, (p: MapImageParams) => engine.mapImage(p)),
  );
  connection.onRequest(
    HistoryRequest,
    answer(HistoryRequest, uriParams(), (p: HistoryParams) => engine.history(p)),
  );
  connection.onShutdown(() => engine.dispose());

  documents.listen(connection);
  connection.listen();
  return connection;
}

/**
 * A request handler that checks its parameters first (InvalidParams, -32602), answers RequestCancelled (-32800)
 * when the request was cancelled before it ran, and turns an exception (or a rejected promise) into an
 * InternalError (-32603) response plus a log line. The server goes on either way.
 */
function answering(log: (text: string) => void) {
  const failure = (method: string, err: unknown): ResponseError<void> => {
    if (err instanceof ResponseError) return err as ResponseError<void>;
    log(`${method} failed: ${describe(err)}`);
    return new ResponseError(
      ErrorCodes.InternalError,
      `${method} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  };
  return <P, R>(method: string, check: Check, handler: (p: P) => R) =>
    (params: unknown, token?: CancellationToken): R => {
      if (token?.isCancellationRequested)
        throw new ResponseError(LSPErrorCodes.RequestCancelled, `${method} was cancelled`);
      const p = requireParams<P>(method, params, check);
      try {
        const result = handler(p);
        return (
          result instanceof Promise
            ? result.catch((err: unknown) => {
                throw failure(method, err);
              })
            : result
        ) as R;
      } catch (err) {
        throw failure(method, err);
      }
    };
}

/**
 * The language server as a process of its own (dist/server.js, `layer-insight lsp`): its heap settings, the server,
 * and the process-level handlers that log what no handler caught instead of ending the process.
 */
export function runServerProcess(): Connection {
  tuneServerHeap();
  const connection = startServer();
  installProcessGuards((text) => connection.console.error(text));
  return connection;
}
