// Analysis (1-based lines and columns) -> LSP types (0-based positions).

import {
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity,
  Range,
  TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type { Finding, Fix, Severity, TextEdit } from '../analysis/model';

export const SOURCE = 'layer-insight';

export const SEVERITY_OF: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function findingRange(f: Finding, lines: string[]): Range {
  const startLine = f.line - 1;
  const endLine = f.endLine - 1;
  const first = lines[startLine] ?? '';
  const startChar = f.column !== undefined ? f.column - 1 : first.length - first.trimStart().length;
  const endChar = f.endColumn !== undefined ? f.endColumn - 1 : (lines[endLine] ?? '').trimEnd().length;
  return Range.create(startLine, Math.max(0, startChar), endLine, Math.max(0, endChar));
}

export function toDiagnostic(f: Finding, lines: string[]): Diagnostic {
  return {
    range: findingRange(f, lines),
    severity: SEVERITY_OF[f.severity],
    source: SOURCE,
    code: f.rule,
    message: f.hadolint ? `${f.message} (${f.hadolint})` : f.message,
  };
}

export function toLspEdit(e: TextEdit): LspTextEdit {
  return LspTextEdit.replace(
    Range.create(e.startLine - 1, e.startColumn - 1, e.endLine - 1, e.endColumn - 1),
    e.newText,
  );
}

export function toCodeAction(uri: string, fix: Fix, diagnostic: Diagnostic): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred ?? false,
    edit: { changes: { [uri]: fix.edits.map(toLspEdit) } },
  };
}
