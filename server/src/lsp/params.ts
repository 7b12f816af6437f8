// Shapes of the parameters the server reads, checked before a handler touches them. The protocol library passes
// parameters on as they came: a hover without `textDocument` used to fail inside the handler (an InternalError
// naming a TypeError), a didOpen whose text is null used to open a document no analysis could read. A request whose
// parameters do not fit gets InvalidParams (-32602); a notification is dropped with a log line (gate.ts).

import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An LSP `uinteger`: 0 ..= 2^31 - 1. */
const isUinteger = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0x7fffffff;
/** A document version: an LSP `integer`. */
const isInteger = (v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) <= 0x7fffffff;
const isString = (v: unknown): v is string => typeof v === 'string';

export function isPosition(v: unknown): v is { line: number; character: number } {
  return isRecord(v) && isUinteger(v.line) && isUinteger(v.character);
}

export function isRange(
  v: unknown,
): v is { start: { line: number; character: number }; end: { line: number; character: number } } {
  return isRecord(v) && isPosition(v.start) && isPosition(v.end);
}

const hasDocument = (p: Rec): boolean => isRecord(p.textDocument) && isString(p.textDocument.uri);

/** What is wrong with the parameters of a request the server answers, or null when they fit. */
export type Check = (p: unknown) => string | null;

export const positionParams: Check = (p) =>
  !isRecord(p) || !hasDocument(p)
    ? 'textDocument.uri (a string) is required'
    : !isPosition(p.position)
      ? 'position must be { line, character } with non-negative integers'
      : null;

export const rangeParams: Check = (p) =>
  !isRecord(p) || !hasDocument(p)
    ? 'textDocument.uri (a string) is required'
    : !isRange(p.range)
      ? 'range must be { start, end } positions with non-negative integers'
      : null;

/** Every engine request names a document by `uri`; the optional fields are strings when present. */
export function uriParams(...optionalStrings: string[]): Check {
  return (p) => {
    if (!isRecord(p) || !isString(p.uri)) return 'uri (a string) is required';
    const bad = optionalStrings.find((k) => p[k] !== undefined && !isString(p[k]));
    return bad ? `${bad} must be a string` : null;
  };
}

export const mapImageParams: Check = (p) =>
  uriParams()(p) ?? (isRecord(p) && isString(p.image) ? null : 'image (a string) is required');

export const buildParams: Check = (p) =>
  uriParams('context', 'target', 'tag')(p) ??
  (isRecord(p) && (p.builder === undefined || p.builder === 'buildkit' || p.builder === 'legacy')
    ? null
    : 'builder must be "buildkit" or "legacy"');

/** Throws InvalidParams when the parameters do not fit. */
export function requireParams<T>(method: string, params: unknown, check: Check): T {
  const problem = check(params);
  if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}`);
  return params as T;
}

/** What is wrong with a document synchronisation notification, or null (null for other methods too). */
export function syncProblem(method: string, p: unknown): string | null {
  switch (method) {
    case 'textDocument/didOpen': {
      const d = isRecord(p) ? p.textDocument : undefined;
      return isRecord(d) &&
        isString(d.uri) &&
        isString(d.text) &&
        isInteger(d.version) &&
        (d.languageId === undefined || isString(d.languageId))
        ? null
        : 'textDocument needs uri, languageId and text (strings) and an integer version';
    }
    case 'textDocument/didChange': {
      if (
        !isRecord(p) ||
        !isRecord(p.textDocument) ||
        !isString(p.textDocument.uri) ||
        !isInteger(p.textDocument.version)
      ) {
        return 'textDocument needs a uri and an integer version';
      }
      const changes = p.contentChanges;
      return Array.isArray(changes) &&
        changes.every((c) => isRecord(c) && isString(c.text) && (c.range === undefined || isRange(c.range)))
        ? null
        : 'contentChanges must be a list of { text, range? }';
    }
    case 'textDocument/didClose':
    case 'textDocument/didSave':
      return isRecord(p) && hasDocument(p) ? null : 'textDocument.uri (a string) is required';
    case 'workspace/didChangeWatchedFiles':
      return isRecord(p) && Array.isArray(p.changes) && p.changes.every((c) => isRecord(c) && isString(c.uri))
        ? null
        : 'changes must be a list of { uri, type }';
    case '$/cancelRequest':
      return isRecord(p) && (isString(p.id) || Number.isInteger(p.id)) ? null : 'id (a number or string) is required';
    default:
      return null;
  }
}
