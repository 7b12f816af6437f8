// Renders the server's per-line annotations (layerInsight/annotations) as quiet text after each instruction line
// that has something to say (an instruction that only sets metadata has no size and shows no cache risk: nothing),
// coloured by cache risk with theme colours, plus a gutter mark on high-risk lines. Once a build of the file was
// recorded, a step the next build re-runs is marked instead: "↻ re-runs" in its label, the label in the re-run colour,
// and its own gutter and overview-ruler mark (the forecast is a fact about this file; the risk is a guess).
//
// No flicker while typing: the decorations already shown stay (VS Code moves them with the edits) until the
// annotations of the document's current version arrive; annotations of an older version are ignored.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AnnotationsNotification, type AnnotationsParams, type StepAnnotation } from '../../server/src/protocol';
import { clientSettings, type ClientSettings } from './settings';

type Level = StepAnnotation['cacheRisk']['level'];
const LEVELS: Level[] = ['low', 'medium', 'high'];

/** What is shown on one line, as read back by tests and by anyone using the extension's API. */
export interface RenderedAnnotation {
  /** 0-based editor line. */
  line: number;
  text: string;
  level: Level;
  /** A gutter mark is drawn: the high-risk arrow, or the re-run mark on a line the next build re-runs. */
  gutter: boolean;
  /** The next build re-runs this step (the forecast), and the line is marked so. */
  rerun: boolean;
}

export class AnnotationDecorations implements vscode.Disposable {
  private readonly types: Record<Level, vscode.TextEditorDecorationType>;
  private readonly gutterType: vscode.TextEditorDecorationType;
  /** A step the next build re-runs: its label in the re-run colour, its own gutter mark (when gutter marks are on). */
  private readonly rerunType: vscode.TextEditorDecorationType;
  private readonly rerunGutterType: vscode.TextEditorDecorationType;
  private readonly latest = new Map<string, AnnotationsParams>();
  private readonly rendered = new Map<string, RenderedAnnotation[]>();
  private readonly renderedVersion = new Map<string, number>();
  private readonly listeners = new Set<(uri: string) => void>();
  private readonly received = new vscode.EventEmitter<AnnotationsParams>();
  /** Annotations of a document's current version arrived (estimates, or measured sizes after a build). */
  readonly onDidReceive = this.received.event;
  private readonly disposables: vscode.Disposable[] = [];
  private settings: ClientSettings = clientSettings();

  constructor(client: LanguageClient, extensionUri: vscode.Uri) {
    const after = (level: Level): vscode.DecorationRenderOptions => ({
      after: {
        color: new vscode.ThemeColor(`layerInsight.${level}RiskForeground`),
        margin: '0 0 0 2.5em',
        fontStyle: 'italic',
      },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.types = {
      low: vscode.window.createTextEditorDecorationType(after('low')),
      medium: vscode.window.createTextEditorDecorationType(after('medium')),
      high: vscode.window.createTextEditorDecorationType(after('high')),
    };
    this.gutterType = vscode.window.createTextEditorDecorationType({
      light: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'high-risk-light.svg') },
      dark: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'high-risk-dark.svg') },
      gutterIconSize: '70%',
      overviewRulerColor: new vscode.ThemeColor('layerInsight.highRiskForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    this.rerunType = vscode.window.createTextEditorDecorationType({
      after: {
        color: new vscode.ThemeColor('layerInsight.rerunForeground'),
        margin: '0 0 0 2.5em',
        fontStyle: 'italic',
      },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      overviewRulerColor: new vscode.ThemeColor('layerInsight.rerunForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    this.rerunGutterType = vscode.window.createTextEditorDecorationType({
      light: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'rerun-light.svg') },
      dark: { gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'rerun-dark.svg') },
      gutterIconSize: '70%',
    });
    this.disposables.push(
      client.onNotification(AnnotationsNotification, (p) => this.receive(p)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.render(e))),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('layerInsight.decorations') || e.affectsConfiguration('layerInsight.thresholds')) {
          this.settings = clientSettings();
          this.renderAll();
        }
      }),
    );
  }

  /** The annotations currently drawn in the editors of this document (empty when switched off). */
  textsFor(uri: vscode.Uri | string): RenderedAnnotation[] {
    return [...(this.rendered.get(uri.toString()) ?? [])];
  }

  /** The document version whose annotations are drawn, if any. */
  versionFor(uri: vscode.Uri | string): number | undefined {
    return this.renderedVersion.get(uri.toString());
  }

  /** Called after the decorations of a document were (re)drawn. */
  onDidRender(listener: (uri: string) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  get enabled(): boolean {
    return this.settings.decorations.enabled;
  }

  private receive(p: AnnotationsParams): void {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === p.uri);
    // stale: the user typed since; the current version's annotations follow
    if (doc && p.version !== doc.version) return;
    const known = this.latest.get(p.uri);
    if (known && known.version > p.version) return;
    this.latest.set(p.uri, p);
    this.received.fire(p);
    for (const e of vscode.window.visibleTextEditors) if (e.document.uri.toString() === p.uri) this.render(e);
  }

  private renderAll(): void {
    for (const e of vscode.window.visibleTextEditors) this.render(e);
  }

  private render(editor: vscode.TextEditor): void {
    const uri = editor.document.uri.toString();
    const p = this.latest.get(uri);
    if (!p) return;
    const d = this.settings.decorations;
    // Line numbers are only valid for the version they came from; an older one waits for its successor.
    if (p.version !== editor.document.version) return;
    const byLevel: Record<Level, vscode.DecorationOptions[]> = { low: [], medium: [], high: [] };
    const gutter: vscode.DecorationOptions[] = [];
    const rerunLabels: vscode.DecorationOptions[] = [];
    const rerunGutter: vscode.DecorationOptions[] = [];
    const shown: RenderedAnnotation[] = [];
    if (d.enabled) {
      for (const s of p.steps) {
        const text = labelOf(s, d);
        if (!text) continue;
        const line = Math.min(s.line - 1, editor.document.lineCount - 1);
        if (line < 0) continue;
        const end = editor.document.lineAt(line).range.end;
        // a step whose cache risk the server does not show (ENV, CMD: no layer) is not coloured by it either
        const level =
          s.parts && !s.parts.cache ? 'low' : LEVELS.includes(s.cacheRisk.level) ? s.cacheRisk.level : 'low';
        const large = s.size !== null && s.size.bytes >= d.largeLayerMB * 1e6;
        // the server marks only the re-runs that cost something (parts.next); an older server sends no parts
        const rerun = d.showForecast && s.forecast?.rerun === true && Boolean(s.parts?.next);
        (rerun ? rerunLabels : byLevel[level]).push({
          range: new vscode.Range(end, end),
          renderOptions: { after: { contentText: text, ...(large ? { fontWeight: 'bold' } : {}) } },
        });
        const at = new vscode.Range(line, 0, line, 0);
        const mark = d.gutter && (rerun || (level === 'high' && s.layer)); // a metadata step re-runs at no cost
        if (mark && rerun) rerunGutter.push({ range: at, hoverMessage: gutterHover([rerunHover(s)]) });
        else if (mark) gutter.push({ range: at, hoverMessage: gutterHover(s.cacheRisk.reasons) });
        shown.push({ line, text, level, gutter: mark, rerun });
      }
    }
    for (const level of LEVELS) editor.setDecorations(this.types[level], byLevel[level]);
    editor.setDecorations(this.gutterType, gutter);
    editor.setDecorations(this.rerunType, rerunLabels);
    editor.setDecorations(this.rerunGutterType, rerunGutter);
    this.rendered.set(uri, shown);
    this.renderedVersion.set(uri, p.version);
    for (const l of this.listeners) l(uri);
  }

  private forget(uri: string): void {
    this.latest.delete(uri);
    this.rendered.delete(uri);
    this.renderedVersion.delete(uri);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.received.dispose();
    Object.values(this.types).forEach((t) => t.dispose());
    this.gutterType.dispose();
    this.rerunType.dispose();
    this.rerunGutterType.dispose();
  }
}

/** The text after a line, from the parts the server formatted; the setting picks which parts. */
function labelOf(s: StepAnnotation, d: ClientSettings['decorations']): string {
  const p = s.parts;
  if (!p) return s.label;
  const parts = [
    d.show !== 'cache' ? p.size : undefined,
    d.show !== 'size' ? p.cache : undefined,
    d.showBuild ? p.build : undefined,
    d.showForecast ? p.next : undefined,
  ];
  return parts.filter((x): x is string => Boolean(x)).join(' · ');
}

/** The re-run mark's hover: "The next build re-runs this step: <cause>". */
function rerunHover(s: StepAnnotation): string {
  const cause = s.forecast?.cause;
  return `The next build re-runs this step${cause ? `: ${cause}` : ''}.`;
}

/** The gutter mark's hover: the reasons as plain text (they quote the Dockerfile, which must not become Markdown). */
function gutterHover(reasons: readonly string[]): vscode.MarkdownString | undefined {
  if (reasons.length === 0) return undefined;
  const md = new vscode.MarkdownString();
  reasons.forEach((r, i) => md.appendText(i ? `\n\n${r}` : r));
  return md;
}
