// The image-history tree view: for the image built from (or mapped to) the active Dockerfile, its stages, their
// layers (instruction, size, cached or not, duration), and the largest files each layer adds. The base image's
// layers are one node. Selecting a layer reveals its Dockerfile line. When there is nothing to show, the view's
// welcome content (package.json viewsWelcome) says why, chosen by the context key layerInsight.history.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  HistoryRequest,
  type AnnotationsParams,
  type EngineState,
  type HistoryFile,
  type HistoryLayer,
  type HistoryResult,
  type HistoryStage,
} from '../../server/src/protocol';
import { because, formatBytes, shorten } from '../../server/src/report/format';

export const VIEW_ID = 'layerInsight.history';
export const REVEAL_COMMAND = 'layerInsight.revealLine';

/** Why the view is empty, or 'ready'. Each value has its own welcome text in package.json. */
export type HistoryViewState = 'noDockerfile' | 'untrusted' | 'noEngine' | 'notBuilt' | 'loading' | 'ready';

export type HistoryNode = (
  | { kind: 'base'; base: NonNullable<HistoryResult['base']> }
  | { kind: 'stage'; stage: HistoryStage; uri: string }
  | { kind: 'layer'; layer: HistoryLayer; uri: string }
  | { kind: 'file'; file: HistoryFile }
) & { parent?: HistoryNode; children: HistoryNode[] };

/** The tree for one history result, built once, so that nodes keep their identity (reveal, selection). */
function buildTree(r: HistoryResult, uri: string): HistoryNode[] {
  const roots: HistoryNode[] = [];
  if (r.base) roots.push({ kind: 'base', base: r.base, children: [] });
  for (const stage of r.stages) {
    const s: HistoryNode = { kind: 'stage', stage, uri, children: [] };
    for (const layer of stage.layers) {
      const l: HistoryNode = { kind: 'layer', layer, uri, parent: s, children: [] };
      l.children = layer.largestFiles.map((file) => ({ kind: 'file', file, parent: l, children: [] }));
      s.children.push(l);
    }
    roots.push(s);
  }
  return roots;
}

export class HistoryView implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<HistoryNode>;
  private result: HistoryResult | null = null;
  private roots: HistoryNode[] = [];
  private uri: string | null = null;
  private state: HistoryViewState = 'noDockerfile';
  private engine: EngineState | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private loading: Promise<void> = Promise.resolve();
  private readonly modes = new Map<string, AnnotationsParams['mode']>();

  constructor(private readonly client: LanguageClient) {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.treeView,
      this.changed,
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document.languageId === 'dockerfile' && e.document.uri.toString() !== this.uri) void this.refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
    );
    void this.setState('noDockerfile');
  }

  /** The Dockerfile the view shows: the active editor's, else the last one shown. */
  currentUri(): string | null {
    const e = vscode.window.activeTextEditor;
    if (e?.document.languageId === 'dockerfile') return e.document.uri.toString();
    return this.uri;
  }

  get viewState(): HistoryViewState {
    return this.state;
  }

  /** The engine state decides the welcome text when nothing was built. */
  setEngineState(state: EngineState): void {
    const before = this.engine?.status;
    this.engine = state;
    if (before !== state.status && state.status !== 'building') void this.refresh();
  }

  /** A document's sizes switched between estimates and measured (an image was built or mapped): show its history. */
  annotationsArrived(p: AnnotationsParams): void {
    const before = this.modes.get(p.uri);
    this.modes.set(p.uri, p.mode);
    if (before !== undefined && before !== p.mode && p.uri === this.currentUri()) void this.refresh();
  }

  /** Asks the server for the history of the active Dockerfile's image. Resolves when the tree has the answer. */
  refresh(): Promise<void> {
    this.loading = this.loading.then(
      () => this.load(),
      () => this.load(),
    );
    return this.loading;
  }

  private async load(): Promise<void> {
    const uri = this.currentUri();
    this.uri = uri;
    if (!uri) return this.show(null, 'noDockerfile');
    if (!vscode.workspace.isTrusted) return this.show(null, 'untrusted');
    if (!this.client.isRunning()) return this.show(null, 'noEngine');
    let result: HistoryResult | null = null;
    try {
      result = await this.client.sendRequest(HistoryRequest, { uri });
    } catch {
      result = null; // a server without engine support, or the engine went away
    }
    if (result?.image) return this.show(result, 'ready');
    const engineUp =
      this.engine?.status === 'connected' || this.engine?.status === 'building' || this.engine?.status === 'slow';
    return this.show(null, engineUp ? 'notBuilt' : 'noEngine');
  }

  private async show(result: HistoryResult | null, state: HistoryViewState): Promise<void> {
    this.result = result;
    this.roots = result?.image ? buildTree(result, this.uri ?? '') : [];
    this.treeView.message = result?.image
      ? `${shortImage(result.image)} · ${sizeOf(result.bytes)} measured`
      : undefined;
    await this.setState(state);
    this.changed.fire(undefined);
  }

  private async setState(state: HistoryViewState): Promise<void> {
    this.state = state;
    await vscode.commands.executeCommand('setContext', 'layerInsight.history', state);
  }

  getChildren(node?: HistoryNode): HistoryNode[] {
    return node ? node.children : this.roots;
  }

  getParent(node: HistoryNode): HistoryNode | undefined {
    return node.parent;
  }

  /** The history shown now (null when the view shows its welcome text instead). */
  get shown(): HistoryResult | null {
    return this.result;
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'base': {
        const item = new vscode.TreeItem(`base image ${node.base.image}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${formatBytes(node.base.bytes)} · ${node.base.layers} layer${node.base.layers === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('package');
        item.tooltip = `The layers of ${node.base.image}, shared with every image built on it.`;
        item.contextValue = 'base';
        return item;
      }
      case 'stage': {
        const s = node.stage;
        const bytes = s.layers.reduce((n, l) => n + l.bytes, 0);
        const item = new vscode.TreeItem(`stage ${s.name ?? s.index}`, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `FROM ${s.from} · ${formatBytes(bytes)}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.command = revealCommand(node.uri, s.line, s.line);
        item.tooltip = `Stage ${s.name ?? s.index} (line ${s.line}): ${s.layers.length} layers, ${formatBytes(bytes)}${this.result?.sizeKind ? ` (${this.result.sizeKind})` : ''}`;
        item.contextValue = 'stage';
        return item;
      }
      case 'layer': {
        const l = node.layer;
        const item = new vscode.TreeItem(
          layerTitle(l),
          l.largestFiles.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = layerDescription(l);
        const tip = new vscode.MarkdownString();
        tip.appendMarkdown(codeBlock(l.createdBy));
        tip.appendMarkdown(`\n${l.empty ? 'No filesystem change (metadata only).' : `Adds ${formatBytes(l.bytes)}.`}`);
        if (l.wastedBytes)
          tip.appendMarkdown(
            ` ${formatBytes(l.wastedBytes)} of it are deleted or overwritten later but still shipped.`,
          );
        if (l.line !== null) tip.appendMarkdown(`\n\nDockerfile line ${l.line}.`);
        // causes name files of the workspace: plain text
        if (l.cause) tip.appendMarkdown('\n\n').appendText(`Ran in the last build ${because(l.cause)}.`);
        if (l.rerun)
          tip
            .appendMarkdown('\n\n')
            .appendText(`The next build re-runs it${l.rerun.cause ? ` ${because(l.rerun.cause)}` : ''}.`);
        item.tooltip = tip;
        item.iconPath = new vscode.ThemeIcon(l.empty ? 'symbol-property' : l.cached ? 'history' : 'file-binary');
        if (l.line !== null) item.command = revealCommand(node.uri, l.line, l.endLine ?? l.line);
        item.contextValue = 'layer';
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.file.path, vscode.TreeItemCollapsibleState.None);
        item.description = formatBytes(node.file.bytes);
        item.iconPath = vscode.ThemeIcon.File;
        item.contextValue = 'file';
        return item;
      }
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** "sha256:87bd7e99…" -> "87bd7e993901", as `docker images` shows IDs; names stay as they are. */
function shortImage(image: string): string {
  const id = /^sha256:([0-9a-f]{12})[0-9a-f]{52}$/.exec(image);
  return id ? id[1] : image;
}

function sizeOf(bytes: number | undefined): string {
  return bytes === undefined ? 'size ?' : formatBytes(bytes);
}

/** "RUN apt-get update && apt-get install -y curl" from the history entry, shortened for one tree row. */
function layerTitle(l: HistoryLayer): string {
  const text = l.createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/\s*# buildkit$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const shown = text || l.instruction;
  return shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
}

function layerDescription(l: HistoryLayer): string {
  const parts = [l.empty ? '0 B' : formatBytes(l.bytes)];
  const why = l.cause ? `: ${shorten(l.cause, 40)}` : '';
  if (l.cached) parts.push('cached');
  else if (l.durationMs !== undefined) parts.push(`ran ${(l.durationMs / 1000).toFixed(1)} s${why}`);
  else if (l.cached === false || l.cause) parts.push(`ran${why}`);
  if (l.rerun) parts.push('↻ re-runs next build');
  if (l.line !== null) parts.push(`line ${l.line}`);
  return parts.join(' · ');
}

function revealCommand(uri: string, line: number, endLine: number): vscode.Command {
  return { command: REVEAL_COMMAND, title: 'Reveal in Dockerfile', arguments: [uri, line, endLine] };
}

/** A fenced code block whose fence is longer than any run of backticks in the text (a layer's command comes from the
 * image, which anyone can build: it must not close the block and add Markdown of its own). */
function codeBlock(text: string): string {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}dockerfile\n${text}\n${fence}\n`;
}
