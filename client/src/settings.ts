// The layerInsight.* configuration: what the client reads for its own views, and what it sends to the server
// (with the workspace trust added, so that an untrusted workspace never talks to an engine or builds).

import * as vscode from 'vscode';
import type { ServerSettings } from '../../server/src/protocol';

export const SECTION = 'layerInsight';

export type DecorationParts = 'sizeAndCache' | 'size' | 'cache';

export interface ClientSettings {
  decorations: {
    enabled: boolean;
    show: DecorationParts;
    gutter: boolean;
    showBuild: boolean;
    showForecast: boolean;
    largeLayerMB: number;
  };
}

type Severity = ServerSettings['rules']['severity'][string];

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function clientSettings(): ClientSettings {
  const c = config();
  return {
    decorations: {
      enabled: c.get<boolean>('decorations.enabled', true),
      show: c.get<DecorationParts>('decorations.show', 'sizeAndCache'),
      gutter: c.get<boolean>('decorations.gutterMark', true),
      showBuild: c.get<boolean>('decorations.showBuildResult', true),
      showForecast: c.get<boolean>('decorations.showForecast', true),
      largeLayerMB: c.get<number>('thresholds.largeLayerMB', 100),
    },
  };
}

/**
 * A setting of machine scope (package.json: engine.host, engine.mode): the user's value, else the default, never
 * a workspace's or a folder's. VS Code already leaves workspace values of machine-scoped settings out of get();
 * reading the user value explicitly keeps it so in any host of the extension API, so that a repository cannot
 * choose the engine that receives its build context.
 */
function userValue<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}

/** The settings the server reads, in the shape of protocol.ts ServerSettings. */
export function serverSettings(): ServerSettings {
  const c = config();
  const hostValue = userValue<unknown>(c, 'engine.host', '');
  const host = typeof hostValue === 'string' ? hostValue.trim() : '';
  const mode = userValue<unknown>(c, 'engine.mode', 'auto');
  return {
    engine: { mode: mode === 'on' || mode === 'off' ? mode : 'auto', host: host === '' ? null : host },
    rules: {
      disabled: c.get<string[]>('rules.disabled', []),
      severity: c.get<Record<string, Severity>>('rules.severity', {}),
    },
    inlayHints: c.get<boolean>('inlayHints.enabled', false),
    trusted: vscode.workspace.isTrusted,
  };
}

export function builder(): 'buildkit' | 'legacy' {
  return config().get<string>('engine.builder', 'buildkit') === 'legacy' ? 'legacy' : 'buildkit';
}

export async function setDecorationsEnabled(enabled: boolean): Promise<void> {
  await config().update('decorations.enabled', enabled, vscode.ConfigurationTarget.Global);
}

export async function setEngine(mode: 'auto' | 'on' | 'off', host: string | null): Promise<void> {
  await config().update('engine.mode', mode, vscode.ConfigurationTarget.Global);
  await config().update('engine.host', host ?? '', vscode.ConfigurationTarget.Global);
}
