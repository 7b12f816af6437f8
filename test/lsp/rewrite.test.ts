// The size rewrites as an editor meets them: the code action title and the hover carry the estimated saving
// before anything is applied; applying the action's edits makes the server re-analyse, the finding goes away
// and the image estimate it publishes is smaller.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnnotationsNotification } from '../../server/src/protocol';
import { LspClient, type Range } from './client';

interface Hover {
  contents: { kind: string; value: string };
}
interface CodeAction {
  title: string;
  isPreferred?: boolean;
  edit?: { changes?: Record<string, { range: Range; newText: string }[]> };
}

const GO = `FROM golang:1.26-bookworm
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/api ./cmd/api
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/api"]
`;

/** Applies LSP edits (0-based, non-overlapping) to a text, last first. */
function applyLspEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('size rewrites over LSP', () => {
  let c: LspClient;
  before(async () => {
    c = new LspClient();
    await c.initialize({ annotations: true });
  });
  after(async () => c.stop());

  test('saving shown before applying; after applying the estimate is recomputed and smaller', async () => {
    const uri = 'file:///tmp/layer-insight-rewrite-test/Dockerfile';
    const first = c.notified(AnnotationsNotification, (p) => p.version === 1);
    c.open(uri, GO, 1);
    const before = await first;
    assert.ok(before.image, 'an image estimate before');

    const hover = await c.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 2 },
    });
    assert.match(hover?.contents.value ?? '', /multi-stage-candidate.*saves ≈ \d+ MB/);

    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    const split = actions.find((a) => /^Split into a build stage/.test(a.title));
    assert.ok(split, actions.map((a) => a.title).join('\n'));
    assert.match(split.title, /saves ≈ \d+ MB/);
    const edits = split.edit?.changes?.[uri];
    assert.ok(edits && edits.length > 0);

    const text = applyLspEdits(GO, edits);
    const second = c.notified(AnnotationsNotification, (p) => p.version === 2);
    const diags = c.waitForDiagnostics(uri, 2);
    c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
    const after = await second;
    assert.ok(!(await diags).diagnostics.some((d) => d.code === 'multi-stage-candidate'));
    assert.ok(after.image, 'an image estimate after');
    assert.ok(after.image.bytes < before.image.bytes, `${after.image.bytes} < ${before.image.bytes}`);
  });
});
