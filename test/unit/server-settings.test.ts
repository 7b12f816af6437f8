// The server's settings merge (server/src/lsp/settings.ts): what a client sends is taken field by field, and a value
// of the wrong type or outside its choices keeps the previous one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySettings, DEFAULT_SETTINGS } from '../../server/src/lsp/settings';

test('valid fields are merged, the others keep their previous values', () => {
  const s = applySettings(DEFAULT_SETTINGS, {
    engine: { mode: 'on', host: 'tcp://build:2376' },
    rules: { disabled: ['DL3007'], severity: { 'copy-before-install': 'error' } },
    inlayHints: false,
  });
  assert.deepEqual(s.engine, { mode: 'on', host: 'tcp://build:2376' });
  assert.deepEqual(s.rules, { disabled: ['DL3007'], severity: { 'copy-before-install': 'error' } });
  const t = applySettings(s, {
    engine: { mode: 'always', host: 42 },
    rules: { disabled: 'DL3008', severity: { 'copy-before-install': 'fatal', x: 'hint' } },
    trusted: 'yes',
  } as never);
  assert.deepEqual(t.engine, s.engine);
  assert.deepEqual(t.rules, { disabled: ['DL3007'], severity: { 'copy-before-install': 'error', x: 'hint' } });
  assert.equal(t.trusted, true);
  assert.equal(applySettings(s, { engine: { host: null } } as never).engine.host, null);
  assert.equal(applySettings(s, null as never), s);
  assert.equal(applySettings(s, 'junk' as never), s);
});
