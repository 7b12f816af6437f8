// Dockerfile text -> raw instructions: the lines, the parser directives (the escape character among them), and each
// instruction's keyword, line range and arguments, read the way BuildKit's parser reads them (continuation lines with
// comment and blank lines inside, heredoc bodies), plus the ignore pragmas in the comments. Nothing is interpreted
// here (no variables, no stages): any text, however broken, yields its instructions in one linear pass.

import type { Heredoc, IgnorePragma, ParserDirectives, Step } from '../model';

/** The instructions Docker knows. Any other word that starts a line still starts an instruction (Docker reports it). */
export const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/** The keyword of a line if it starts an instruction (used by views to find instruction lines). */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}

/** One instruction as found in the text, before interpretation. */
export interface RawInstruction {
  keyword: string;
  /** 0-based line range (inclusive, heredoc bodies included) and the keyword's 0-based column. */
  start: number;
  end: number;
  column: number;
  /** The arguments with continuation lines joined (comment and blank lines inside dropped), trimmed. */
  args: string;
  heredocs: Heredoc[];
}

/** The text's lines without their line ends, and its line end (`\r\n` if any line ends so). */
export function splitLines(text: string): { lines: string[]; eol: '\n' | '\r\n' } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // split on \n (a plain split is several times faster than /\r?\n/ on a long file), then drop the \r of CRLF endings
  const lines = text.split('\n');
  if (eol === '\r\n')
    for (let i = 0; i < lines.length - 1; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return { lines, eol };
}

export function readDirectives(lines: string[]): ParserDirectives {
  const d: ParserDirectives = { syntax: null, escape: '\\', check: null };
  for (const line of lines) {
    const m = /^\s*#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) break; // directives must come first; any other line (even blank) ends them
    const key = m[1].toLowerCase();
    if (key === 'syntax') d.syntax = m[2];
    else if (key === 'escape' && (m[2] === '`' || m[2] === '\\')) d.escape = m[2];
    else if (key === 'check') d.check = m[2];
    else break;
  }
  return d;
}

/**
 * What follows `<<` in `<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<'EOF'`: a word that starts a heredoc (BuildKit reads it from
 * RUN, COPY, ADD) when the `<<` starts a word (after blanks and an optional file descriptor).
 */
const HEREDOC_HEAD = /(-?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/y;

const isBlank = (c: number): boolean =>
  c === 32 ||
  c === 9 ||
  c === 13 ||
  c === 12 ||
  c === 11 ||
  c === 0xfeff ||
  c === 0xa0 ||
  (c > 0x1fff && /\s/.test(String.fromCharCode(c)));

function leadingBlanks(line: string): number {
  let k = 0;
  while (k < line.length && isBlank(line.charCodeAt(k))) k++;
  return k;
}

function lastNonBlank(line: string): number {
  let k = line.length - 1;
  while (k >= 0 && isBlank(line.charCodeAt(k))) k--;
  return k;
}

/** A line that holds nothing, or only a comment (`#` after blanks): skipped between and inside instructions. */
function isBlankOrComment(line: string): boolean {
  const k = leadingBlanks(line);
  return k === line.length || line.charCodeAt(k) === 35;
}

/** The instruction word at `from`: its letters (`RUN`, or `RUN` in `RUN\`), else the run of non-blanks. */
function keywordAt(line: string, from: number): string {
  let k = from;
  while (k < line.length && isLetter(line.charCodeAt(k))) k++;
  if (k > from) return line.slice(from, k);
  while (k < line.length && !isBlank(line.charCodeAt(k))) k++;
  return line.slice(from, k);
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Finds the instructions and their line ranges in one pass, as BuildKit's parser does: blank and comment
 * lines between instructions are skipped; a line whose last non-blank character is the escape character
 * continues on the next line (comment and blank lines in between are dropped); RUN, COPY and ADD read heredoc
 * bodies from the lines after the instruction. Every non-blank, non-comment line outside those starts an
 * instruction, whatever its first word (an unknown word is still an instruction, as Docker reports it).
 * `from`: the 0-based line to start at (the start of an instruction, or a line between instructions).
 */
export function scanInstructions(lines: string[], esc: string, from = 0): RawInstruction[] {
  const out: RawInstruction[] = [];
  const n = lines.length;
  let i = from;
  while (i < n) {
    const first = lines[i];
    if (isBlankOrComment(first)) {
      i++;
      continue;
    }
    const lead = leadingBlanks(first);
    const word = keywordAt(first, lead);
    const start = i;
    const joined = joinContinuations(lines, i, lead + word.length, esc);
    let end = joined.end;
    const args = joined.args.trim();
    const keyword = word.toUpperCase();
    const heredocs = HEREDOC_KEYWORDS.has(keyword) ? readHeredocs(lines, args, end + 1) : [];
    if (heredocs.length) end = heredocs[heredocs.length - 1].endLine - 1;
    out.push({ keyword, start, end, column: lead, args, heredocs });
    i = end + 1;
  }
  return out;
}

/**
 * The text of the instruction that starts on line `start` from column `from` on, its continuation lines joined
 * (without the escape characters that continue them, comment and blank lines in between dropped), and its last line.
 */
function joinContinuations(lines: string[], start: number, from: number, esc: string): { args: string; end: number } {
  const first = lines[start];
  let last = lastNonBlank(first);
  if (last < 0 || first[last] !== esc) return { args: first.slice(from), end: start }; // the common case: one line
  let args = '';
  let end = start;
  let current = first;
  for (;;) {
    if (last < 0 || current[last] !== esc) {
      args += current.slice(from);
      break;
    }
    args += current.slice(from, last);
    let j = end + 1;
    while (j < lines.length && isBlankOrComment(lines[j])) j++;
    if (j >= lines.length) break; // the file ends in a continuation: the instruction ends with it
    end = j;
    current = lines[j];
    from = 0;
    last = lastNonBlank(current);
  }
  return { args, end };
}

/** Reads the bodies of the heredocs that `args` opens, one after another from line `from` (0-based). */
function readHeredocs(lines: string[], args: string, from: number): Heredoc[] {
  if (!args.includes('<<')) return [];
  const found: Heredoc[] = [];
  let i = from;
  const quotes = new QuoteScanner(args);
  for (const m of heredocHeads(args)) {
    if (quotes.insideAt(m.index)) continue;
    const stripTabs = m[1] === '-';
    const name = m[3];
    const bodyLines: string[] = [];
    const startLine = i;
    let end = -1;
    for (; i < lines.length; i++) {
      const l = stripTabs ? lines[i].replace(/^\t+/, '') : lines[i];
      if (l === name) {
        end = i;
        i++;
        break;
      }
      bodyLines.push(l);
    }
    // an unterminated heredoc runs to the end of the file (BuildKit reads it the same way)
    const last = lines.length - 1;
    found.push({
      name,
      stripTabs,
      quoted: m[2] !== '',
      body: bodyLines.join('\n'),
      line: Math.min(startLine, last) + 1,
      endLine: Math.min(Math.max(startLine, end >= 0 ? end : last), last) + 1,
    });
    if (end < 0) break;
  }
  return found;
}

/** The heredoc words of `args` in order (`m[1]`: `-`, `m[2]`: quote, `m[3]`: name), in one pass. */
function* heredocHeads(args: string): Generator<RegExpExecArray> {
  for (let at = args.indexOf('<<'); at >= 0; at = args.indexOf('<<', at + 1)) {
    let k = at - 1;
    while (k >= 0 && args.charCodeAt(k) >= 48 && args.charCodeAt(k) <= 57) k--;
    if (k >= 0 && !/\s/.test(args[k])) continue;
    HEREDOC_HEAD.lastIndex = at + 2;
    const m = HEREDOC_HEAD.exec(args);
    if (!m) continue;
    m.index = at;
    yield m;
    at = HEREDOC_HEAD.lastIndex - 1;
  }
}

/**
 * Whether positions of a shell text are inside a single- or double-quoted string, asked in increasing order: the
 * text is read once, however many positions are asked about.
 */
class QuoteScanner {
  private k = 0;
  private quote: string | null = null;
  constructor(private readonly text: string) {}

  insideAt(at: number): boolean {
    const text = this.text;
    let k = this.k;
    let quote = this.quote;
    for (; k < at; k++) {
      const c = text[k];
      if (quote) {
        if (c === quote) quote = null;
        else if (c === '\\' && quote === '"') k++;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '\\') k++;
    }
    this.k = k;
    this.quote = quote;
    return quote !== null;
  }
}

/**
 * The `# hadolint ignore=...` and `# layer-insight ignore=...` comments (`global ignore` for the whole file), those
 * between instructions only. The instructions in order: the first `carried` steps of the previous version, then
 * those scanned (`raw`).
 */
export function readIgnorePragmas(
  lines: string[],
  before: readonly Step[],
  carried: number,
  raw: RawInstruction[],
): IgnorePragma[] {
  const out: IgnorePragma[] = [];
  const count = carried + raw.length;
  const startOf = (r: number) => (r < carried ? before[r].line - 1 : raw[r - carried].start);
  const endOf = (r: number) => (r < carried ? before[r].endLine - 1 : raw[r - carried].end);
  let r = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes('ignore')) continue;
    // the codes are checked apart: `\s*=\s*[...\s...]+$` in one pattern backtracks quadratically on a long line
    const m = /^\s*#\s*(hadolint|layer-insight)\s+(global\s+)?ignore\s*=([^]*)$/.exec(line);
    if (!m || m[3] === '' || !/^[A-Za-z0-9_,\s-]+$/.test(m[3])) continue;
    while (r < count && endOf(r) < i) r++;
    // a pragma inside an instruction (a comment between continuation lines, a heredoc line) does not count
    if (r < count && startOf(r) < i) continue;
    const codes = m[3]
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    out.push({ line: i + 1, codes, global: Boolean(m[2]) });
  }
  return out;
}
