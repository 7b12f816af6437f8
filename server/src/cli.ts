// The command line: `layer-insight analyze ...` (text | json | sarif) and `layer-insight lsp --stdio`.
// Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 usage errors and unreadable files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from './analysis/analyze';
import type { Analysis, AnalysisFacts, AnalysisOptions, Severity } from './analysis/model';
import { readBuildContext } from './facts/context';
import { readGitChurn } from './facts/git';
import { toJson } from './report/json';
import { toSarif } from './report/sarif';
import { toText } from './report/text';
import { VERSION } from './version';

export const USAGE = `usage:
  layer-insight analyze [--format text|json|sarif] [--context DIR] [--engine auto|on|off]
                        [--image REF] [--target STAGE] [--build-arg K=V]... [--fail-on error|warning|info]
                        [--no-color] FILE...
  layer-insight lsp --stdio
  layer-insight --version

analyze   estimate each layer's size and cache risk and report findings (default engine: off, estimates only;
          auto uses a running Docker engine when one answers; on requires one)
lsp       run the language server over stdio for any editor`;

interface AnalyzeArgs {
  format: 'text' | 'json' | 'sarif';
  context: string | null;
  engine: 'auto' | 'on' | 'off';
  image: string | null;
  target: string | undefined;
  buildArgs: Record<string, string>;
  failOn: Severity;
  color: boolean;
  files: string[];
}

class UsageError extends Error {}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

function parseAnalyzeArgs(argv: string[]): AnalyzeArgs {
  const a: AnalyzeArgs = {
    format: 'text', context: null, engine: 'off', image: null, target: undefined, buildArgs: {},
    failOn: 'error', color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, files: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const oneOf = <T extends string>(v: string, allowed: readonly T[]): T => {
      if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${v}")`);
      return v as T;
    };
    switch (flag) {
      case '--format': a.format = oneOf(value(), ['text', 'json', 'sarif'] as const); break;
      case '--context': a.context = value(); break;
      case '--engine': a.engine = oneOf(value(), ['auto', 'on', 'off'] as const); break;
      case '--image': a.image = value(); break;
      case '--target': a.target = value(); break;
      case '--build-arg': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--build-arg expects K=V (got "${kv}")`);
        a.buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--fail-on': a.failOn = oneOf(value(), ['error', 'warning', 'info'] as const); break;
      case '--no-color': a.color = false; break;
      case '--color': a.color = true; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        a.files.push(arg);
    }
  }
  if (a.files.length === 0) throw new UsageError('no Dockerfile given');
  if (a.image && a.files.length > 1) throw new UsageError('--image maps one image to one Dockerfile; give a single FILE');
  return a;
}

function readError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    default: return e.code ?? e.message;
  }
}

interface FileResult {
  file: string;
  analysis: Analysis;
}

async function runAnalyze(argv: string[]): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  const results: FileResult[] = [];
  for (const file of args.files) {
    let text: string;
    try {
      text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`layer-insight: cannot read ${file}: ${readError(e as NodeJS.ErrnoException)}\n`);
      return 2;
    }
    const options: AnalysisOptions = { target: args.target, buildArgs: args.buildArgs };
    const facts: AnalysisFacts = {};
    const contextDir = args.context ?? (file === '-' ? null : path.dirname(path.resolve(file)));
    if (contextDir) {
      if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory()) {
        process.stderr.write(`layer-insight: context ${contextDir} is not a folder\n`);
        return 2;
      }
      facts.context = await readBuildContext(path.resolve(contextDir), { dockerfile: file });
      const git = await readGitChurn(path.resolve(contextDir));
      if (git) facts.git = git;
    }
    const engineNote = await addEngineFacts(args, text, facts, options);
    if (engineNote) process.stderr.write(`layer-insight: ${engineNote}\n`);
    if (engineNote && args.engine === 'on') return 2;
    results.push({ file, analysis: analyze(text, facts, options) });
  }

  if (args.format === 'json') {
    const reports = results.map((r) => toJson(r.file, r.analysis));
    process.stdout.write(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  } else if (args.format === 'sarif') {
    process.stdout.write(JSON.stringify(toSarif(results, VERSION), null, 2) + '\n');
  } else {
    process.stdout.write(results.map((r) => toText(r.file, r.analysis, { color: args.color })).join('\n'));
  }
  const worst = Math.max(-1, ...results.flatMap((r) => r.analysis.findings.map((f) => SEVERITY_RANK[f.severity])));
  return worst >= SEVERITY_RANK[args.failOn] ? 1 : 0;
}

/**
 * With --engine auto|on (or --image), measured sizes replace estimates. Returns a note when the engine could
 * not be used (printed to stderr; with --engine on it is an error).
 */
async function addEngineFacts(args: AnalyzeArgs, text: string, facts: AnalysisFacts, options: AnalysisOptions): Promise<string | null> {
  if (args.engine === 'off' && !args.image) return null;
  // loaded lazily: estimate mode never touches dockerode
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { measureForCli } = require('./engine/cliMeasure') as typeof import('./engine/cliMeasure');
  return measureForCli({ text, image: args.image, required: args.engine === 'on' || Boolean(args.image), options, facts });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        return await runAnalyze(rest);
      case 'lsp': {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./server') as typeof import('./server')).runServerProcess();
        return -1; // keeps running
      }
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`layer-insight: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`layer-insight: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
