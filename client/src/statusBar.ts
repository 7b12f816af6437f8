// The engine state in the status bar: "estimates only", "Podman 4.3.1 at podman.sock", "building…". Shown while a
// Dockerfile is the active editor; a click opens the engine actions (build, map an image, pick the engine).

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EngineStateNotification, EngineStateRequest, type EngineState } from '../../server/src/protocol';

export const ENGINE_ACTIONS_COMMAND = 'layerInsight.engineActions';

const UNKNOWN: EngineState = { status: 'unknown', host: '', message: 'Layer Insight: waiting for the language server' };

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'layerInsight.engine',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly changed = new vscode.EventEmitter<EngineState>();
  readonly onDidChange = this.changed.event;
  private current: EngineState = UNKNOWN;
  private building = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly client: LanguageClient) {
    this.item.name = 'Layer Insight engine';
    this.item.command = ENGINE_ACTIONS_COMMAND;
    this.disposables.push(
      this.item,
      this.changed,
      client.onNotification(EngineStateNotification, (s) => this.set(s)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.query()),
    );
    this.render();
  }

  get state(): EngineState {
    return this.current;
  }

  /** What the status item shows now ("$(vm-active) Docker 20.10.24 at docker.sock"). */
  get text(): string {
    return this.item.text;
  }

  /** Asks the server for the engine state (after start, after trust is granted). */
  async query(): Promise<void> {
    try {
      this.set(await this.client.sendRequest(EngineStateRequest));
    } catch {
      this.set({
        status: 'none',
        host: '',
        message: 'estimates only: this language server does not talk to a Docker engine',
      });
    }
  }

  /** The client knows a build is running before the server says so; the spinner shows at once. */
  setBuilding(building: boolean): void {
    this.building = building;
    this.render();
  }

  private set(state: EngineState): void {
    this.current = state;
    this.render();
    this.changed.fire(state);
  }

  private render(): void {
    const s = this.current;
    const host = shortHost(s.host);
    let text: string;
    if (this.building || s.status === 'building') text = '$(sync~spin) building…';
    else if (s.status === 'connected') text = `$(vm-active) ${engineName(s)} at ${host || 'engine'}`;
    else if (s.status === 'slow') text = `$(vm-outline) ${host || 'engine'} is slow: estimates only`;
    else if (s.status === 'untrusted') text = '$(shield) estimates only';
    else text = '$(layers) estimates only';
    this.item.text = text;
    const tip = new vscode.MarkdownString();
    tip.appendText(
      s.status === 'connected' ? `Connected to ${engineName(s)} at ${s.host}` : s.message || 'estimates only',
    );
    if (s.version) tip.appendText(`\n${engineName(s)}${s.storageDriver ? `, storage driver ${s.storageDriver}` : ''}`);
    if (s.sizeKind) tip.appendText(`\nMeasured sizes: ${s.sizeKind}`);
    if (s.builders?.length) tip.appendText(`\nBuilds with: ${s.builders.join(', ')}`);
    tip.appendMarkdown('\n\nClick to build the image, map a local image or pick the engine.');
    this.item.tooltip = tip;
    this.item.backgroundColor =
      s.status === 'denied' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (vscode.window.activeTextEditor?.document.languageId === 'dockerfile') this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/** "Podman 4.3.1", "Docker 28.2.2"; "Docker engine" before the version is known. */
function engineName(s: EngineState): string {
  const name = s.kind === 'podman' ? 'Podman' : 'Docker';
  return s.version ? `${name} ${s.version}` : `${name} engine`;
}

/** "unix:///run/docker.sock" -> "docker.sock"; "tcp://build-host:2376" -> "build-host:2376". */
function shortHost(host: string): string {
  if (!host) return '';
  const m = /^(?:unix|npipe):\/\/(.*)$/.exec(host);
  if (m) return m[1].split('/').pop() || host;
  return host.replace(/^(?:tcp|ssh|https?):\/\//, '');
}
