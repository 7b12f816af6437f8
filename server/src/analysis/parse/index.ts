// Dockerfile text -> DockerfileModel (stages and steps), composing the parts of this folder: scanner.ts finds the
// instructions in the raw lines, the way BuildKit's parser reads them (parser directives, the escape character,
// continuation lines with comment and blank lines inside, heredoc bodies), so that any text, however broken, yields a
// model in one linear pass; words.ts reads their arguments; interpret.ts turns them into steps and stages with the
// variables in force; stages.ts resolves stage references and the target; incremental.ts reuses the previous
// version's steps. dockerfile-ast builds a full syntax tree and was the slowest part of an edit on a 5,000-line file;
// the test suite checks that our instruction ranges agree with it.

import type { AnalysisOptions, DockerfileModel } from '../model';
import { carriedSteps, noteParsed, parseOptionsKey, StepReader } from './incremental';
import { Interpreter } from './interpret';
import { readDirectives, readIgnorePragmas, scanInstructions, splitLines, type RawInstruction } from './scanner';
import { markReach, pickTarget } from './stages';

export { readAlike } from './incremental';
export { isKeyword } from './scanner';
export { splitWords, takeFlags } from './words';

/**
 * `previous`: the model of the document's previous version; its Step objects are kept where the new ones equal them.
 */
export function parseDockerfile(
  text: string,
  options: AnalysisOptions = {},
  previous?: DockerfileModel,
): DockerfileModel {
  const { lines, eol } = splitLines(text);
  const problems: string[] = [];
  const directives = readDirectives(lines);
  const esc = directives.escape;
  const optionsKey = parseOptionsKey(options, esc);
  // instructions above the first changed line are not scanned again (see carriedSteps)
  const { before, carried, scanFrom } = carriedSteps(previous, optionsKey, lines, eol);
  let raw: RawInstruction[];
  let scanned = true;
  try {
    raw = scanInstructions(lines, esc, scanFrom);
  } catch (e) {
    // the scanner is total by design; this is a last line of defence so that a bug yields a model, not a crash
    problems.push(`reading the instructions failed (${(e as Error).message})`);
    raw = [];
    scanned = false;
  }
  const ignores = readIgnorePragmas(lines, before ?? [], carried, raw);

  const interpreter = new Interpreter(options, esc, problems);
  const reader = new StepReader(interpreter, problems, previous, before);
  reader.takeCarried(carried);
  for (const ins of raw) reader.take(ins);
  const { globalArgs, stages } = interpreter;
  const steps = reader.steps;

  const target = pickTarget(stages, options.target, problems);
  if (target >= 0) markReach(stages, target);
  const link = stages.length === 0 ? linkText(text) : null;
  if (link !== null)
    problems.splice(
      0,
      problems.length,
      `this file holds only the path ${link}: a symbolic link checked out as a plain file (git with core.symlinks=false, as on Windows)? The Dockerfile is the file it names.`,
    );
  const model: DockerfileModel = { text, lines, eol, directives, globalArgs, stages, steps, target, ignores, problems };
  noteParsed(model, optionsKey, scanned && reader.complete);
  return model;
}

/**
 * The target path when the whole file is one (a git symlink checked out as text: vaultwarden's Dockerfile holds
 * `docker/Dockerfile.debian`), else null. Bounded: only short texts are looked at.
 */
function linkText(text: string): string | null {
  const t = text.trim();
  if (t.length === 0 || t.length > 1024 || !t.includes('/')) return null;
  return /^[\w.@+-]+(\/[\w.@+-]+)+$/.test(t) || /^(\.\.?\/)+[\w.@+/-]+$/.test(t) ? t : null;
}
