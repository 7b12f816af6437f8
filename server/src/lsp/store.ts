// Parses and analyses each document once per version; every LSP feature reads the cached result.
// Facts that need I/O (the build context listing, measured images) are gathered asynchronously and, when they
// change, the affected documents are analysed again.

import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { analyze } from '../analysis/analyze';
import type { Analysis, AnalysisFacts, AnalysisOptions, BuildContextFacts, GitChurn, MeasuredImage, StepResult } from '../analysis/model';
import { readBuildContext } from '../facts/context';
import { readGitChurn } from '../facts/git';

export interface Entry {
  uri: string;
  version: number;
  analysis: Analysis;
  /** Steps sorted by line, for a binary search by position. */
  stepLines: number[];
}

export class AnalysisStore {
  private readonly entries = new Map<string, Entry>();
  /** The latest analysis of each open document, valid or not. */
  private readonly last = new Map<string, Analysis>();
  private readonly contexts = new Map<string, BuildContextFacts | 'loading'>();
  private readonly measured = new Map<string, MeasuredImage>();
  /** Git history of each context folder (null: not a git work tree, or git failed). */
  private readonly churn = new Map<string, GitChurn | null | 'loading'>();
  options: AnalysisOptions = {};

  constructor(private readonly onFactsChanged: (uri: string) => void) {}

  /** The analysis of this exact version, computed now if needed. */
  get(uri: string, version: number, text: () => string): Entry {
    const cached = this.entries.get(uri);
    if (cached && cached.version === version) return cached;
    this.entries.delete(uri);
    // the previous analysis (even one invalidated by new facts) lends the new one its equal objects: an edit then
    // leaves behind only what it changed (analysis/reuse.ts)
    const analysis = analyze(text(), this.facts(uri), this.options, this.last.get(uri));
    const entry: Entry = { uri, version, analysis, stepLines: analysis.steps.map((s) => s.step.line) };
    this.entries.set(uri, entry);
    this.last.set(uri, analysis);
    return entry;
  }

  peek(uri: string): Entry | undefined {
    return this.entries.get(uri);
  }

  /** Forget the cached analysis (facts or settings changed); the next get() recomputes. */
  invalidate(uri?: string): void {
    if (uri) this.entries.delete(uri);
    else this.entries.clear();
  }

  close(uri: string): void {
    this.entries.delete(uri);
    this.last.delete(uri);
  }

  setMeasured(uri: string, m: MeasuredImage | undefined): void {
    if (m) this.measured.set(uri, m);
    else this.measured.delete(uri);
    this.invalidate(uri);
    this.onFactsChanged(uri);
  }

  getMeasured(uri: string): MeasuredImage | undefined {
    return this.measured.get(uri);
  }

  /** A watched file changed: re-read every loaded context that contains it. */
  contextChangedFor(fileUri: string): void {
    let file: string;
    try {
      file = URI.parse(fileUri).fsPath;
    } catch {
      return;
    }
    for (const dir of [...this.contexts.keys()]) if (file.startsWith(dir + path.sep)) this.contextChanged(dir);
  }

  /** A build-context file changed: re-read that context and re-analyse the documents that use it. */
  contextChanged(dir: string): void {
    if (this.contexts.has(dir)) {
      this.contexts.delete(dir);
      this.churn.delete(dir);
      for (const uri of [...this.entries.keys()]) if (contextDirOf(uri) === dir) this.loadContext(uri, dir);
    }
  }

  private facts(uri: string): AnalysisFacts {
    const facts: AnalysisFacts = {};
    const dir = contextDirOf(uri);
    if (dir) {
      const ctx = this.contexts.get(dir);
      if (ctx === undefined) this.loadContext(uri, dir);
      else if (ctx !== 'loading') facts.context = ctx;
      const git = this.churn.get(dir);
      if (git === undefined) this.loadChurn(uri, dir);
      else if (git !== null && git !== 'loading') facts.git = git;
    }
    const m = this.measured.get(uri);
    if (m) facts.measured = m;
    return facts;
  }

  /** History is read once per context folder, and again when the context changes (a commit usually does). */
  private loadChurn(uri: string, dir: string): void {
    this.churn.set(dir, 'loading');
    readGitChurn(dir).then(
      (git) => {
        this.churn.set(dir, git ?? null);
        if (git) {
          this.invalidate(uri);
          this.onFactsChanged(uri);
        }
      },
      () => this.churn.set(dir, null),
    );
  }

  private loadContext(uri: string, dir: string): void {
    this.contexts.set(dir, 'loading');
    readBuildContext(dir).then(
      (ctx) => {
        this.contexts.set(dir, ctx);
        this.invalidate(uri);
        this.onFactsChanged(uri);
      },
      () => this.contexts.delete(dir),
    );
  }
}

/** The build context of a file-scheme Dockerfile is its folder (what `docker build .` next to it uses). */
export function contextDirOf(uri: string): string | null {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? path.dirname(u.fsPath) : null;
  } catch {
    return null;
  }
}

/** The step whose line range holds this 0-based line, by binary search. */
export function stepAt(entry: Entry, line0: number): StepResult | undefined {
  const line = line0 + 1;
  const lines = entry.stepLines;
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid] <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const s = entry.analysis.steps[found];
  return line <= s.step.endLine ? s : undefined;
}
