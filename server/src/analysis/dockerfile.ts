// Dockerfile text -> DockerfileModel (stages and steps).
// dockerfile-ast finds the instructions and their line ranges; everything else (continuations, heredocs,
// flags, variable expansion, WORKDIR tracking, stage links) is read here from the raw lines, so that any text,
// however broken, yields a model.

import { DockerfileParser } from 'dockerfile-ast';
import * as posix from 'node:path/posix';
import type {
  AnalysisOptions, DockerfileModel, Flag, Heredoc, IgnorePragma, ParserDirectives, Stage, Step,
} from './model';
import { expand } from './variables';

const KEYWORDS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
  'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);
const FLAG_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

interface RawInstruction {
  keyword: string;
  /** 0-based line range (inclusive) and the keyword's 0-based column. */
  start: number;
  end: number;
  column: number;
}

export function parseDockerfile(text: string, options: AnalysisOptions = {}): DockerfileModel {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const problems: string[] = [];
  const directives = readDirectives(lines);
  const raw = findInstructions(text, lines, problems);
  const ignores = readIgnorePragmas(lines, raw);
  const buildkit = options.buildkit ?? true;
  const esc = directives.escape;

  const globalArgs = new Map<string, string | null>();
  const stages: Stage[] = [];
  const steps: Step[] = [];
  // variables visible in the current stage (ARG and ENV), and its WORKDIR
  let scope = new Map<string, string | null>();
  let workdir = '/';
  const stageEnd: { scope: Map<string, string | null>; workdir: string }[] = [];
  const buildArgs = options.buildArgs ?? {};

  const globalScope = (): Map<string, string | null> => {
    const s = new Map(globalArgs);
    for (const [k, v] of Object.entries(buildArgs)) if (s.has(k)) s.set(k, v);
    return s;
  };

  for (const ins of raw) {
    const keyword = ins.keyword;
    const body = readInstructionBody(lines, ins, esc, HEREDOC_KEYWORDS.has(keyword));
    const { flags, rest } = FLAG_KEYWORDS.has(keyword) ? takeFlags(body.args, esc) : { flags: [], rest: body.args };
    const exec = parseExecForm(rest);
    const words = exec ?? splitWords(rest, esc);
    const stageIndex = stages.length - 1;
    const step: Step = {
      index: steps.length,
      stage: stageIndex,
      keyword,
      line: ins.start + 1,
      endLine: Math.max(ins.end, ...body.heredocs.map((h) => h.endLine - 1)) + 1,
      column: ins.column + 1,
      args: body.args,
      flags,
      words,
      execForm: exec !== null,
      heredocs: body.heredocs,
      command: keyword === 'RUN' ? runCommand(rest, body.heredocs) : body.args,
      createsLayer: false,
      workdir,
    };

    if (keyword === 'FROM') {
      stageEnd[stageIndex] = { scope, workdir };
      const image = words[0] ?? '';
      const alias = words.length >= 3 && words[1].toUpperCase() === 'AS' ? words[2].toLowerCase() : null;
      const fromExpanded = expand(image, globalScope(), esc);
      const baseStage = findStage(stages, fromExpanded);
      const index = stages.length;
      const platform = flags.find((f) => f.name === 'platform')?.value ?? null;
      stages.push({
        index, name: alias, from: fromExpanded, fromRaw: image, baseStage, line: step.line, steps: [],
        final: false, reachesFinal: false, dependsOn: baseStage !== null ? [baseStage] : [], platform,
      });
      step.stage = index;
      if (baseStage !== null && stageEnd[baseStage]) {
        scope = new Map(stageEnd[baseStage].scope);
        workdir = stageEnd[baseStage].workdir;
      } else {
        scope = new Map();
        workdir = '/';
      }
      step.workdir = workdir;
    } else if (stageIndex < 0) {
      if (keyword === 'ARG') for (const [k, v] of readAssignments(words, esc, globalScope(), true)) globalArgs.set(k, v);
      else if (keyword !== 'ONBUILD') problems.push(`line ${step.line}: ${keyword} before the first FROM`);
    } else {
      const stage = stages[stageIndex];
      switch (keyword) {
        case 'ARG':
          for (const [k, v] of readAssignments(words, esc, scope, true)) {
            const passed = buildArgs[k];
            const inherited = v === null && globalArgs.has(k) ? globalScope().get(k) ?? null : v;
            scope.set(k, passed ?? inherited);
          }
          break;
        case 'ENV':
          for (const [k, v] of readAssignments(words, esc, scope, false)) scope.set(k, v ?? '');
          break;
        case 'WORKDIR': {
          const dir = expand(words.join(' '), scope, esc);
          workdir = posix.resolve(workdir, dir || '.');
          step.workdir = workdir;
          step.createsLayer = buildkit && workdir !== '/';
          break;
        }
        case 'RUN':
          step.createsLayer = true;
          for (const f of flags) {
            if (f.name !== 'mount' || !f.value) continue;
            const from = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1];
            if (from) addDependency(stage, stages, expand(from, scope, esc));
          }
          break;
        case 'COPY':
        case 'ADD': {
          step.createsLayer = true;
          const paths = words.map((w) => expand(w, scope, esc));
          const dest = paths.length > 1 ? paths[paths.length - 1] : '';
          step.sources = paths.slice(0, -1);
          step.destination = dest === '' ? workdir : dest.startsWith('/') ? dest : joinKeepSlash(workdir, dest);
          const fromFlag = flags.find((f) => f.name === 'from');
          if (fromFlag?.value) {
            const rawFrom = expand(fromFlag.value, scope, esc);
            const s = findStageOrIndex(stages, rawFrom, stageIndex);
            step.copyFrom = { stage: s, image: s === null ? rawFrom : null, raw: fromFlag.value };
            if (s !== null && !stage.dependsOn.includes(s)) stage.dependsOn.push(s);
          }
          break;
        }
        case 'ONBUILD':
          step.onbuildKeyword = (words[0] ?? '').toUpperCase();
          break;
        default:
          break;
      }
      stage.steps.push(step.index);
    }
    if (keyword === 'FROM') stages[stages.length - 1].steps.push(step.index);
    steps.push(step);
  }

  const target = pickTarget(stages, options.target, problems);
  if (target >= 0) markReach(stages, target);
  return { text, lines, eol, directives, globalArgs, stages, steps, target, ignores, problems };
}

function joinKeepSlash(dir: string, rel: string): string {
  const joined = posix.join(dir, rel);
  return rel.endsWith('/') && !joined.endsWith('/') ? joined + '/' : joined;
}

function addDependency(stage: Stage, stages: Stage[], ref: string): void {
  const s = findStageOrIndex(stages, ref, stage.index);
  if (s !== null && !stage.dependsOn.includes(s)) stage.dependsOn.push(s);
}

function findStage(stages: Stage[], ref: string): number | null {
  const name = ref.toLowerCase();
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i].name === name) return i;
  return null;
}

function findStageOrIndex(stages: Stage[], ref: string, current: number): number | null {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n < current ? n : null;
  }
  const s = findStage(stages.slice(0, current), ref);
  return s;
}

function pickTarget(stages: Stage[], target: string | undefined, problems: string[]): number {
  if (stages.length === 0) return -1;
  if (target) {
    const s = findStage(stages, target);
    if (s !== null) return s;
    problems.push(`target stage "${target}" not found; using the last stage`);
  }
  return stages.length - 1;
}

function markReach(stages: Stage[], target: number): void {
  stages[target].final = true;
  const seen = new Set<number>();
  for (let s: number | null = target; s !== null && !seen.has(s); s = stages[s].baseStage) {
    seen.add(s);
    stages[s].reachesFinal = true;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading the raw text

function readDirectives(lines: string[]): ParserDirectives {
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

function findInstructions(text: string, lines: string[], problems: string[]): RawInstruction[] {
  try {
    const df = DockerfileParser.parse(text);
    const out: RawInstruction[] = [];
    for (const ins of df.getInstructions()) {
      const r = ins.getRange();
      const kr = ins.getInstructionRange();
      out.push({ keyword: ins.getKeyword().toUpperCase(), start: r.start.line, end: r.end.line, column: kr.start.character });
    }
    return out;
  } catch (e) {
    problems.push(`parser failed (${(e as Error).message}); instructions were read line by line`);
    return fallbackInstructions(lines);
  }
}

/** A plain line splitter used only if dockerfile-ast throws: one instruction per keyword line. */
function fallbackInstructions(lines: string[]): RawInstruction[] {
  const out: RawInstruction[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)([A-Za-z]+)(\s|$)/.exec(line);
    if (m && KEYWORDS.has(m[2].toUpperCase())) {
      if (out.length) out[out.length - 1].end = Math.max(out[out.length - 1].start, i - 1);
      out.push({ keyword: m[2].toUpperCase(), start: i, end: i, column: m[1].length });
    }
  });
  if (out.length) out[out.length - 1].end = lines.length - 1;
  return out;
}

function readIgnorePragmas(lines: string[], raw: RawInstruction[]): IgnorePragma[] {
  const out: IgnorePragma[] = [];
  let next = 0;
  lines.forEach((line, i) => {
    const m = /^\s*#\s*(hadolint|layer-insight)\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s-]+)$/.exec(line);
    if (!m) return;
    while (next < raw.length && raw[next].start <= i) next++;
    // a pragma inside an instruction (a comment between continuation lines) does not count
    const inside = raw.some((r) => r.start < i && r.end >= i);
    if (inside) return;
    const codes = m[3].split(',').map((c) => c.trim()).filter(Boolean);
    out.push({ line: i + 1, codes, global: Boolean(m[2]) });
  });
  return out;
}

interface InstructionBody {
  args: string;
  heredocs: Heredoc[];
}

/**
 * Joins the instruction's continuation lines (skipping comment and blank lines between them, as Docker does)
 * and collects heredoc bodies that follow the instruction line.
 */
function readInstructionBody(lines: string[], ins: RawInstruction, esc: string, heredocs: boolean): InstructionBody {
  const first = lines[ins.start] ?? '';
  const afterKeyword = first.slice(ins.column).replace(/^[A-Za-z]+/, '');
  let args = '';
  let i = ins.start;
  let current = afterKeyword;
  for (;;) {
    const trimmed = current.replace(/\s+$/, '');
    if (trimmed.endsWith(esc) && i < ins.end) {
      args += trimmed.slice(0, -1);
      i++;
      while (i < ins.end && /^\s*(#.*)?$/.test(lines[i])) i++;
      current = lines[i] ?? '';
      continue;
    }
    args += current;
    i++;
    break;
  }
  args = args.trim();
  const found: Heredoc[] = [];
  if (heredocs) {
    const re = /(?<![<\w])<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2/g;
    for (let m = re.exec(args); m; m = re.exec(args)) {
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
      found.push({
        name, stripTabs, quoted: m[2] !== '', body: bodyLines.join('\n'),
        line: startLine + 1, endLine: (end >= 0 ? end : lines.length - 1) + 1,
      });
      if (end < 0) break;
    }
  }
  return { args, heredocs: found };
}

function runCommand(rest: string, heredocs: Heredoc[]): string {
  if (heredocs.length === 0) return rest;
  return [rest, ...heredocs.map((h) => h.body)].join('\n');
}

/** Splits leading `--name[=value]` flags from the arguments. */
export function takeFlags(args: string, esc: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let rest = args;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("[^"]*"|'[^']*'|\S*))?(\s+|$)/.exec(rest);
    if (!m) break;
    let value: string | null = m[2] ?? null;
    if (value && /^["'].*["']$/.test(value)) value = value.slice(1, -1);
    flags.push({ name: m[1].toLowerCase(), value });
    rest = rest.slice(m[0].length);
  }
  void esc;
  return { flags, rest: rest.trim() };
}

function parseExecForm(rest: string): string[] | null {
  const t = rest.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form that happens to start with '['
  }
  return null;
}

/** Shell-like word splitting with quotes removed (what Docker does for COPY/ADD/FROM/ARG/ENV words). */
export function splitWords(text: string, esc = '\\'): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === esc && quote === '"' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === esc)) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === esc && i + 1 < text.length && text[i + 1] !== '$') {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** Reads `K=V K2=V2`, the legacy `K V` form (ENV only), or bare `K` (ARG). Values are expanded in order. */
function readAssignments(
  words: string[], esc: string, scope: Map<string, string | null>, isArg: boolean,
): [string, string | null][] {
  const out: [string, string | null][] = [];
  if (!isArg && words.length >= 2 && !words[0].includes('=')) {
    out.push([words[0], expand(words.slice(1).join(' '), scope, esc)]);
    return out;
  }
  const local = new Map(scope);
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) out.push([w, null]);
      continue;
    }
    const k = w.slice(0, eq);
    const v = expand(w.slice(eq + 1), isArg ? local : scope, esc);
    local.set(k, v);
    out.push([k, v]);
  }
  return out;
}

/** The keyword of a line if it starts an instruction (used by views to find instruction lines). */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}
