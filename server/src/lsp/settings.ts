// Server settings: defaults for any editor, merged with what the client sends (the layerInsight.* section).

import type { ServerSettings } from '../protocol';

export const DEFAULT_SETTINGS: ServerSettings = {
  engine: { mode: 'auto', host: null },
  rules: { disabled: [], severity: {} },
  inlayHints: true,
  trusted: true,
};

export function applySettings(base: ServerSettings, patch: Partial<ServerSettings> | undefined): ServerSettings {
  if (!patch) return base;
  return {
    engine: { ...base.engine, ...(patch.engine ?? {}) },
    rules: {
      disabled: Array.isArray(patch.rules?.disabled) ? patch.rules.disabled : base.rules.disabled,
      severity: { ...base.rules.severity, ...(patch.rules?.severity ?? {}) },
    },
    inlayHints: typeof patch.inlayHints === 'boolean' ? patch.inlayHints : base.inlayHints,
    trusted: typeof patch.trusted === 'boolean' ? patch.trusted : base.trusted,
  };
}
