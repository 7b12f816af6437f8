// Server settings: defaults for any editor, merged with what the client sends (the layerInsight.* section).
// What the client sends is checked field by field: a value of the wrong type or outside its choices keeps the
// previous one (a host of 42 or a severity of "fatal" must not reach the engine connection or the rules).

import { SEVERITIES } from '../analysis/model';
import type { ServerSettings } from '../protocol';

export const DEFAULT_SETTINGS: ServerSettings = {
  engine: { mode: 'auto', host: null },
  rules: { disabled: [], severity: {} },
  inlayHints: true,
  trusted: true,
};

type Severity = ServerSettings['rules']['severity'][string];
const MODES: readonly string[] = ['auto', 'on', 'off'];
const SEVERITY_SETTINGS: readonly string[] = [...SEVERITIES, 'off'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function applySettings(base: ServerSettings, patch: Partial<ServerSettings> | undefined): ServerSettings {
  if (!isRecord(patch)) return base;
  const engine: Record<string, unknown> = isRecord(patch.engine) ? patch.engine : {};
  const rules: Record<string, unknown> = isRecord(patch.rules) ? patch.rules : {};
  const severity: Record<string, Severity> = { ...base.rules.severity };
  if (isRecord(rules.severity)) {
    for (const [rule, level] of Object.entries(rules.severity))
      if (typeof level === 'string' && SEVERITY_SETTINGS.includes(level)) severity[rule] = level as Severity;
  }
  const disabled = rules.disabled;
  return {
    engine: {
      mode:
        typeof engine.mode === 'string' && MODES.includes(engine.mode)
          ? (engine.mode as ServerSettings['engine']['mode'])
          : base.engine.mode,
      host: engine.host === null || typeof engine.host === 'string' ? engine.host : base.engine.host,
    },
    rules: {
      disabled:
        Array.isArray(disabled) && disabled.every((r) => typeof r === 'string')
          ? (disabled as string[])
          : base.rules.disabled,
      severity,
    },
    inlayHints: typeof patch.inlayHints === 'boolean' ? patch.inlayHints : base.inlayHints,
    trusted: typeof patch.trusted === 'boolean' ? patch.trusted : base.trusted,
  };
}
