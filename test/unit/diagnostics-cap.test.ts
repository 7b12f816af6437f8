// What the language server publishes for a file with more findings than an editor shows (server/src/lsp/features.ts
// `capped`): the same choice VS Code's extension host makes (errors first, 1,000 per file), made before sending.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver';
import { capped, MAX_DIAGNOSTICS, MORE_FINDINGS } from '../../server/src/lsp/features';

const at = (line: number, severity: DiagnosticSeverity): Diagnostic => ({
  range: Range.create(line, 0, line, 5),
  severity,
  message: `m${line}`,
});

test('a list within the limit is sent as it is', () => {
  const list = Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => at(i, DiagnosticSeverity.Information));
  assert.equal(capped(list, ['FROM x']), list);
});

test('over the limit: errors and warnings are kept before information, in document order, and one notice counts the rest', () => {
  // 1,500 infos with an error on line 1,200 and warnings on 1,300-1,309: the error and warnings lie past the first
  // 1,000
  const list = Array.from({ length: 1500 }, (_, i) =>
    at(
      i,
      i === 1200
        ? DiagnosticSeverity.Error
        : i >= 1300 && i < 1310
          ? DiagnosticSeverity.Warning
          : DiagnosticSeverity.Information,
    ),
  );
  const out = capped(list, ['FROM node:20   ']);
  assert.equal(out.length, MAX_DIAGNOSTICS, 'findings and the notice together stay within what VS Code keeps');
  const notice = out[out.length - 1];
  const kept = out.slice(0, -1);
  assert.ok(kept.some((d) => d.severity === DiagnosticSeverity.Error && d.range.start.line === 1200));
  assert.equal(kept.filter((d) => d.severity === DiagnosticSeverity.Warning).length, 10);
  assert.equal(kept.filter((d) => d.severity === DiagnosticSeverity.Information).length, MAX_DIAGNOSTICS - 1 - 11);
  assert.deepEqual(
    kept.map((d) => d.range.start.line),
    [...kept.map((d) => d.range.start.line)].sort((a, b) => a - b),
    'document order',
  );
  assert.equal(notice.code, MORE_FINDINGS);
  assert.equal(notice.severity, DiagnosticSeverity.Information);
  assert.deepEqual(notice.range, Range.create(0, 0, 0, 'FROM node:20'.length));
  assert.match(String(notice.message), /^501 more findings are not shown/);
  assert.match(String(notice.message), /layer-insight analyze/);
});
