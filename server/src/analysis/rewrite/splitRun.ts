// Splitting an install RUN for copy-before-install: the part that installs dependencies from the manifests alone
// stays before the sources; what needs the sources (a build in the same RUN or heredoc, the project's own install
// for Poetry and uv, Composer's autoloader and scripts) moves to a new RUN after them. The dependency command takes
// its dependencies-only form (poetry install --no-root, uv sync --no-install-project, composer install --no-scripts
// --no-autoloader) and the finishing command (the original install, composer dump-autoload) runs after the sources.
// Only plain command lists are split: `&&` chains in shell form, newline or `;` lists in a heredoc; anything with
// control flow, pipes, subshells or background jobs is left alone (the caller offers no fix and says why).

import type { DockerfileModel, Step } from '../model';
import { commandsOf, hasOption, programOf, shellTokens, type ShellCommand } from '../shell';
import type { DependencyCommand } from '../ecosystems';
import { indentOf, keywordCase, lineText } from './edits';

/** The RUN lines that replace the install (before the sources) and the RUN to add after the sources ([] if none). */
export interface SplitPlan {
  before: string[];
  after: string[];
  /** The dependency command as it now runs before the sources. */
  command: string;
}

/** Why no split is offered (one sentence for the finding). */
export interface NoSplit {
  why: string;
}

/** The dependency command in its dependencies-only form, and the command that finishes the job after the sources. */
interface DepsOnly {
  before: string;
  /** The commands that finish the install after the sources ([] when none). */
  after: string[];
}

/** Commands that only set up the shell's state: repeated at the head of the RUN after the sources. */
const STATE = new Set(['cd', 'export', 'set', 'umask']);

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  'select',
]);

/** The dependencies-only form of an install, or null when there is none (it needs the sources). */
export function depsOnlyForm(dep: DependencyCommand): DepsOnly | null {
  const cmd = dep.command;
  const t = cmd.text;
  if (dep.kind !== 'install') return null;
  if (dep.ecosystem === 'poetry' && dep.needsSources) return { before: `${t} --no-root`, after: [t] };
  if (dep.ecosystem === 'uv' && dep.needsSources) return { before: `${t} --no-install-project`, after: [t] };
  if (dep.needsSources) return null;
  if (dep.ecosystem === 'composer') return composerForms(cmd);
  return { before: t, after: [] };
}

/**
 * composer install runs the project's scripts and writes a class autoloader: both read the sources (a classmap
 * folder that is not there yet fails the install). Before the sources: --no-scripts --no-autoloader; after them:
 * dump-autoload, which writes the autoloader and runs the post-autoload-dump scripts (Laravel's package:discover),
 * and run-script post-install-cmd (Symfony's auto-scripts; Composer runs nothing when the event has no scripts).
 */
function composerForms(cmd: ShellCommand): DepsOnly {
  const scripts = !hasOption(cmd, '--no-scripts');
  const autoloader = !hasOption(cmd, '--no-autoloader');
  const before = `${cmd.text}${scripts ? ' --no-scripts' : ''}${autoloader ? ' --no-autoloader' : ''}`;
  if (!autoloader) return { before, after: [] };
  const noDev = hasOption(cmd, '--no-dev') ? ' --no-dev' : '';
  const flags = [
    '--optimize',
    ...(noDev ? ['--no-dev'] : []),
    ...(hasOption(cmd, '--classmap-authoritative', '-a') ? ['--classmap-authoritative'] : []),
    ...(hasOption(cmd, '--apcu-autoloader') ? ['--apcu'] : []),
    ...(scripts ? [] : ['--no-scripts']),
  ];
  const at = cmd.text.indexOf(cmd.words[0]);
  const env = at > 0 ? cmd.text.slice(0, at) : '';
  const composer = `${env}${cmd.words[0]}`;
  const dump = `${composer} dump-autoload ${flags.join(' ')}`;
  return { before, after: scripts ? [dump, `${composer} run-script post-install-cmd${noDev}`] : [dump] };
}

/**
 * Splits `install` at `dep`: null when nothing needs splitting (`onlyInstalls`: the RUN runs nothing that needs the
 * sources, and the command has no other form), NoSplit when it cannot be done safely. `sourceFree`: commands that
 * may run before the sources.
 */
export function planSplit(
  model: DockerfileModel,
  install: Step,
  dep: DependencyCommand,
  onlyInstalls: boolean,
  sourceFree: (c: ShellCommand) => boolean,
): SplitPlan | NoSplit | null {
  const forms = depsOnlyForm(dep);
  if (!forms) return { why: `\`${dep.command.text}\` also installs the project itself, which needs its sources` };
  if (onlyInstalls && forms.after.length === 0 && forms.before === dep.command.text) return null;
  const cmds = commandsOf(install);
  const k = cmds.indexOf(dep.command);
  const head = cmds.slice(0, k);
  const rest = cmds.slice(k + 1);
  const why = unsplittable(install, head, sourceFree);
  if (why) return { why };
  const state = head.filter((c) => STATE.has(programOf(c))).map((c) => c.text);
  const before = [...head.map((c) => c.text), forms.before];
  const tail = [...forms.after, ...rest.map((c) => c.text)];
  return {
    before: render(model, install, before),
    after: tail.length ? render(model, install, [...state, ...tail]) : [],
    command: forms.before,
  };
}

/** Why this RUN cannot be split into two (null when it can). */
function unsplittable(
  step: Step,
  head: readonly ShellCommand[],
  sourceFree: (c: ShellCommand) => boolean,
): string | null {
  if (step.execForm) return 'the install is an exec-form RUN that also builds; split it by hand';
  if (step.heredocs.length > 0) {
    const rest = step.args.replace(/^(--\S+\s+)*/, '').trim();
    if (step.heredocs.length !== 1 || !/^<<-?["']?[A-Za-z_][\w.-]*["']?$/.test(rest))
      return 'the install RUN is a heredoc with other text on its line; split it by hand';
  }
  const allowed = step.heredocs.length > 0 ? ['&&', ';', '\n'] : ['&&'];
  let start = true;
  for (const t of shellTokens(step.command)) {
    if (t.op !== null) {
      if (!allowed.includes(t.op))
        return `the install RUN joins commands with \`${t.op.trim() || 'newline'}\`, not a plain list; split it by hand`;
      start = true;
    } else {
      if (start && KEYWORDS.has(t.word))
        return `the install RUN has shell control flow (\`${t.word}\`); split it by hand`;
      start = false;
    }
  }
  const unsafe = head.find((c) => !STATE.has(programOf(c)) && !sourceFree(c));
  if (unsafe) return `\`${unsafe.text}\` runs before the install in the same RUN and may need the sources`;
  return null;
}

/** The lines of a RUN like `step` (keyword, flags, heredoc form as written) running `cmds`. */
function render(model: DockerfileModel, step: Step, cmds: string[]): string[] {
  const indent = indentOf(model, step);
  if (step.heredocs.length > 0) {
    const h = step.heredocs[0];
    const first = h.body.split('\n')[0];
    const shebang = first.startsWith('#!') ? [first] : [];
    const pad = h.stripTabs ? '\t' : '';
    return [lineText(model, step.line), ...shebang, ...cmds.map((c) => pad + c), lineText(model, h.endLine)];
  }
  const flags = step.flags.map((f) => (f.value === null ? `--${f.name} ` : `--${f.name}=${f.value} `)).join('');
  const run = `${indent}${keywordCase(model, step, 'RUN')} ${flags}`;
  if (step.line === step.endLine || cmds.length === 1) return [run + cmds.join(' && ')];
  const esc = model.directives.escape;
  return cmds.map((c, i) =>
    i === 0 ? `${run}${c} ${esc}` : `${indent}    && ${c}${i < cmds.length - 1 ? ` ${esc}` : ''}`,
  );
}
