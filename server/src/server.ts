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
  type InitializeParams,
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
  ForecastRequest,
  HistoryRequest,
  MapImageRequest,
  type BuildParams,
  type ForecastParams,
  type ForecastResult,
  type HistoryParams,
  type InitializationOptions,
  type MapImageParams,
  type ServerSettings,
} from './protocol';
import { EngineService } from './engine/service';
import { baseImageOf } from './analysis/image/map';
import { annotations, codeActions, diagnostics, hover, inlayHints } from './lsp/features';
import { historyResult, withForecast } from './lsp/history';
import { AnalysisStore } from './lsp/store';
import { ForecastFacts } from './lsp/forecastFacts';
import { cliRecordDir } from './facts/buildRecords';
import { parseDockerfile } from './analysis/parse';
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

/** What the handlers share: the open documents, the analysis cache, the engine side, and what initialize said. */
interface Server {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  store: AnalysisStore;
  engine: EngineService;
  publisher: Publisher;
  forecast: ForecastFacts;
  /** Where this server records builds (initializationOptions.storageDir), else the CLI's cache folder. */
  recordDir: string;
  log: (text: string) => void;
  settings: ServerSettings;
  /** The client asked for layerInsight/annotations (initializationOptions.annotations). */
  sendsAnnotations: boolean;
  canRefreshInlayHints: boolean;
}

export function startServer(transport: ServerTransport = createServerConnection()): Connection {
  const server = createServer(transport);
  handleLifecycle(server);
  handleDocuments(server);
  handleFeatures(server);
  handleEngine(server);
  server.documents.listen(server.connection);
  server.connection.listen();
  return server.connection;
}

/** The documents, the store, the engine side and the publisher, wired to each other and to the connection. */
function createServer({ connection, incoming }: ServerTransport): Server {
  const documents = new TextDocuments(TextDocument);
  const log = (text: string): void => connection.console.error(`layer-insight: ${text}`);
  const store = new AnalysisStore(
    (uri) => {
      const doc = documents.get(uri);
      if (doc) server.publisher.request(doc);
      if (server.canRefreshInlayHints && server.settings.inlayHints) void connection.languages.inlayHint.refresh();
    },
    {
      trusted: () => server.settings.trusted,
      // saved files of a context: the forecast reads their digests again
      contextRead: (uris) => uris.forEach((uri) => void server.forecast.refresh(uri)),
    },
  ); // an untrusted workspace runs no git
  // the engine side (protocol.ts): state, builds, image mapping; the images it gathers go to the store as facts,
  // and each analysis maps them to the text it parses
  const engine = new EngineService({
    settings: () => server.settings,
    setImage: (uri, image) => {
      store.setImage(uri, image);
      return server.publisher.entryFor(uri)?.analysis.mapped?.measured.mismatch;
    },
    baseImage: (uri, target) => {
      const model = server.publisher.entryFor(uri)?.analysis.model;
      return model ? baseImageOf(model, target) : null;
    },
    setBuild: (uri, b) => store.setBuild(uri, b),
    recordDir: () => server.recordDir,
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
    send: (doc, entry) => {
      void connection.sendDiagnostics({
        uri: doc.uri,
        version: doc.version,
        diagnostics: entry ? diagnostics(entry) : [],
      });
      if (server.sendsAnnotations) {
        void connection.sendNotification(
          AnnotationsNotification,
          entry ? annotations(entry) : { uri: doc.uri, version: doc.version, steps: [], image: null, mode: 'estimate' },
        );
      }
    },
  });
  // the forecast's facts: the last build record and today's digests (reads files only)
  const forecast = new ForecastFacts({
    recordDirs: () => [...new Set([server.recordDir, cliRecordDir()])],
    current: (uri) => {
      const doc = documents.get(uri);
      if (!doc) return undefined;
      const model = store.peek(uri)?.analysis.model ?? parseDockerfile(doc.getText());
      return { model, context: store.contextOf(uri) };
    },
    baseIds: (refs) => engine.baseIds(refs),
    set: (uri, b) => store.setBuild(uri, b),
  });
  const server: Server = {
    connection,
    documents,
    store,
    engine,
    publisher,
    forecast,
    recordDir: cliRecordDir(),
    log,
    settings: DEFAULT_SETTINGS,
    sendsAnnotations: false,
    canRefreshInlayHints: false,
  };
  return server;
}

function initialize(server: Server, params: InitializeParams): InitializeResult {
  const init = (params.initializationOptions ?? {}) as InitializationOptions & { annotations?: boolean };
  server.settings = applySettings(DEFAULT_SETTINGS, init.settings);
  server.store.options = { disabledRules: server.settings.rules.disabled, severities: server.settings.rules.severity };
  server.sendsAnnotations = init.annotations === true;
  if (typeof init.storageDir === 'string' && init.storageDir) server.recordDir = `${init.storageDir}/builds`;
  server.canRefreshInlayHints = Boolean(params.capabilities.workspace?.inlayHint?.refreshSupport);
  return {
    capabilities: {
      // saves: the forecast reads the file digests again (lsp/forecastFacts.ts)
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      inlayHintProvider: true,
    },
    serverInfo: { name: 'layer-insight' },
  };
}

/** initialize, initialized, settings changes and shutdown. */
function handleLifecycle(server: Server): void {
  const { connection, documents, store, publisher, engine } = server;
  connection.onInitialize((params) => initialize(server, params));
  connection.onInitialized(() => {
    engine.start();
    void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
  });
  connection.onDidChangeConfiguration((change) => {
    const section = (change.settings as { layerInsight?: Partial<ServerSettings> } | null)?.layerInsight;
    if (!section) return;
    server.settings = applySettings(server.settings, section);
    store.options = { disabledRules: server.settings.rules.disabled, severities: server.settings.rules.severity };
    store.invalidate();
    publisher.reset();
    documents.all().forEach((doc) => publisher.request(doc));
    engine.settingsChanged();
  });
  connection.onShutdown(() => engine.dispose());
}

/** Document changes, closes and watched files. */
function handleDocuments(server: Server): void {
  const { connection, documents, store, publisher, engine } = server;
  // a burst of edits is analysed once, for its last version (lsp/publish.ts)
  documents.onDidChangeContent((e) => publisher.request(e.document));
  documents.onDidOpen((e) => void server.forecast.refresh(e.document.uri));
  documents.onDidSave((e) => void server.forecast.refresh(e.document.uri));
  documents.onDidClose((e) => {
    server.forecast.closed(e.document.uri);
    engine.closed(e.document.uri);
    store.close(e.document.uri);
    publisher.closed(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) store.contextChangedFor(c.uri);
  });
}

/** Hover, code actions and inlay hints, each answered from the cached analysis. */
function handleFeatures(server: Server): void {
  const { connection, publisher } = server;
  const answer = answering(server.log);
  const entryFor = (uri: string) => publisher.entryFor(uri);
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
      const entry = server.settings.inlayHints ? entryFor(p.textDocument.uri) : undefined;
      return entry ? inlayHints(entry, p.range) : [];
    }),
  );
}

/** The custom requests of protocol.ts: engine state, build and its cancellation, image mapping, history. */
function handleEngine(server: Server): void {
  const { connection, engine, publisher, log } = server;
  const answer = answering(log);
  connection.onRequest(EngineStateRequest, () => engine.getState());
  connection.onRequest(
    BuildRequest,
    answer(BuildRequest.method, buildParams, (p: BuildParams) => engine.build(p)),
  );
  connection.onNotification(CancelBuildNotification, (p) => {
    if (uriParams()(p) === null) engine.cancelBuild(p.uri);
  });
  connection.onRequest(
    ForecastRequest,
    answer(ForecastRequest.method, uriParams(), async (p: ForecastParams): Promise<ForecastResult> => {
      await server.forecast.refresh(p.uri);
      const forecast = publisher.entryFor(p.uri)?.analysis.forecast;
      if (forecast) return { forecast };
      return { forecast: null, reason: 'no build of this Dockerfile was recorded yet: build it once' };
    }),
  );
  connection.onRequest(
    MapImageRequest,
    answer(MapImageRequest.method, mapImageParams, (p: MapImageParams) => engine.mapImage(p)),
  );
  connection.onRequest(
    HistoryRequest,
    answer(HistoryRequest.method, uriParams(), (p: HistoryParams) => {
      // from the document's analysis: the image mapped to the text it parsed
      const a = publisher.entryFor(p.uri)?.analysis;
      return withForecast(a?.mapped ? historyResult(a.mapped, a.model) : engine.noImage(), a);
    }),
  );
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
    (params: P, token?: CancellationToken): R => {
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
