// The command line: `layer-insight analyze ...` (text | json | sarif) and `layer-insight lsp --stdio`.
// Exit codes (EXIT below, in the usage and the README): 0 nothing at or above --fail-on, 1 something is, 2 usage
// errors and files that cannot be analysed, 3 internal errors. A Dockerfile is read only when it is a regular file
// (or standard input), of at most MAX_INPUT_BYTES, without NUL bytes; what we print of it is escaped (report/escape).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from './analysis/analyze';
import { parseDockerfile } from './analysis/parse';
import { baseImageOf } from './analysis/image/map';
import { severityRank, type Analysis, type AnalysisFacts, type AnalysisOptions, type Severity } from './analysis/model';
import { readBuildContext } from './facts/context';
import { readGitChurn } from './facts/git';
import { escapeControls as safe, terminalSafeJson } from './report/escape';
import { toJson } from './report/json';
import { toSarif } from './report/sarif';
import { toText } from './report/text';
import { VERSION } from './version';

export const EXIT = { clean: 0, findings: 1, usage: 2, internal: 3, buildFailed: 4 } as const;

/** The most the CLI reads of one Dockerfile: the largest real ones are a few hundred kB. */
export const MAX_INPUT_BYTES = 8_000_000;

export const USAGE = `usage:
  layer-insight analyze [--format text|json|sarif] [--context DIR] [--engine auto|on|off]
                        [--image REF] [--target STAGE] [--build-arg K=V]... [--fail-on error|warning|info]
                        [--forecast] [--no-color] FILE...
  layer-insight build [--builder buildkit|legacy] [--tag T] [--target STAGE] [--build-arg K=V]...
                      [--context DIR] [--format text|json] [--no-color] FILE
  layer-insight lsp --stdio | --node-ipc | --socket=PORT | --pipe=NAME
  layer-insight --version

analyze   estimate each layer's size and cache risk and report findings (default engine: off, estimates only;
          auto uses a running Docker engine when one answers; on requires one). FILE is a regular file of at
          most 8 MB, or - for standard input
          --forecast compares with the last recorded build of FILE: which steps the next build re-runs, why,
          and how long they took (reads files only; with --engine auto|on also the base images' IDs)
build     build FILE with the Docker engine, map the image to its lines, say why each step that ran missed the
          cache, and record the build for --forecast (records: $LAYER_INSIGHT_CACHE, else
          $XDG_CACHE_HOME/layer-insight, else ~/.cache/layer-insight)
lsp       run the language server; editors start it with --stdio

exit codes of analyze:
  0  nothing at or above --fail-on (default error) was found
  1  something at or above --fail-on was found
  2  usage error, or a file that cannot be analysed (unreadable, not a regular file, over 8 MB, binary),
     --target naming no stage, --engine on without a usable engine, output that cannot be written
  3  internal error (a bug: please report it)
  4  (build) the build failed`;

interface AnalyzeArgs {
  format: 'text' | 'json' | 'sarif';
  context: string | null;
  engine: 'auto' | 'on' | 'off';
  image: string | null;
  target: string | undefined;
  buildArgs: Record<string, string>;
  failOn: Severity;
  color: boolean;
  forecast: boolean;
  files: string[];
}

/** A mistake in the command line: the message, then the usage (exit 2). */
class UsageError extends Error {}
/** A file or setting the command cannot work with: the message alone (exit 2). */
class CannotAnalyze extends Error {}

/** `--build-arg K=V` into the map (analyze and build read it alike). */
function addBuildArg(into: Record<string, string>, kv: string): void {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new UsageError(`--build-arg expects K=V (got "${safe(kv)}")`);
  into[kv.slice(0, eq)] = kv.slice(eq + 1);
}

function parseAnalyzeArgs(argv: string[]): AnalyzeArgs | 'help' {
  const a: AnalyzeArgs = {
    format: 'text',
    context: null,
    engine: 'off',
    image: null,
    target: undefined,
    buildArgs: {},
    failOn: 'error',
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    forecast: false,
    files: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const oneOf = <T extends string>(v: string, allowed: readonly T[]): T => {
      if (!(allowed as readonly string[]).includes(v))
        throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${safe(v)}")`);
      return v as T;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--format':
        a.format = oneOf(value(), ['text', 'json', 'sarif'] as const);
        break;
      case '--context':
        a.context = value();
        break;
      case '--engine':
        a.engine = oneOf(value(), ['auto', 'on', 'off'] as const);
        break;
      case '--image':
        a.image = value();
        break;
      case '--target':
        a.target = value();
        break;
      case '--build-arg':
        addBuildArg(a.buildArgs, value());
        break;
      case '--fail-on':
        a.failOn = oneOf(value(), ['error', 'warning', 'info'] as const);
        break;
      case '--no-color':
        a.color = false;
        break;
      case '--forecast':
        a.forecast = true;
        break;
      case '--color':
        a.color = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${safe(arg)}`);
        a.files.push(arg);
    }
  }
  if (a.files.length === 0) throw new UsageError('no Dockerfile given');
  if (a.files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read once only');
  if (a.image && a.files.length > 1)
    throw new UsageError('--image maps one image to one Dockerfile; give a single FILE');
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// Reading a Dockerfile

function readError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENXIO':
      return 'it is not a regular file (a socket, or a device or pipe nobody writes to)';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e.code ?? e.message;
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const TOO_LARGE = `it is larger than ${MAX_INPUT_BYTES / 1e6} MB, the most the CLI reads of a Dockerfile`;

/**
 * The bytes of a Dockerfile named on the command line. Opened without blocking (a FIFO would wait for a writer),
 * then refused unless fstat says it is a regular file (devices such as /dev/zero never end); read up to the cap.
 */
function readRegularFile(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new CannotAnalyze(readError(e as NodeJS.ErrnoException));
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new CannotAnalyze('it is a folder, not a file');
    if (!st.isFile())
      throw new CannotAnalyze(
        `it is ${kindOf(st)}, not a regular file (to analyse a stream, pipe it to standard input: -)`,
      );
    if (st.size > MAX_INPUT_BYTES) throw new CannotAnalyze(TOO_LARGE);
    const chunks: Buffer[] = [];
    let total = 0;
    // the size can change under us (and /proc files say 0): read until the end, never past the cap
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_INPUT_BYTES + 1 - total));
      let n: number;
      try {
        n = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new CannotAnalyze(readError(e as NodeJS.ErrnoException));
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_INPUT_BYTES) throw new CannotAnalyze(TOO_LARGE);
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Standard input (a pipe, a terminal or a redirected file or device), read up to the cap. */
function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const input = process.stdin;
    input.on('data', (d: Buffer) => {
      total += d.length;
      if (total > MAX_INPUT_BYTES) {
        input.destroy();
        reject(new CannotAnalyze(TOO_LARGE));
      } else {
        chunks.push(d);
      }
    });
    input.on('end', () => resolve(Buffer.concat(chunks, total)));
    input.on('error', (e) => reject(new CannotAnalyze(readError(e))));
  });
}

/** The text of a Dockerfile, or CannotAnalyze saying why not. */
async function readDockerfile(file: string): Promise<string> {
  const bytes = file === '-' ? await readStdin() : readRegularFile(file);
  if (bytes.includes(0)) throw new CannotAnalyze('it contains NUL bytes: a binary file, not a Dockerfile');
  return bytes.toString('utf8');
}

// ---------------------------------------------------------------------------------------------------------
// analyze

interface FileResult {
  file: string;
  analysis: Analysis;
  /** Why there is no forecast (analyze --forecast without a recorded build). */
  forecastNote?: string | null;
}

async function runAnalyze(argv: string[]): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  const inputs: { file: string; text: string }[] = [];
  for (const file of args.files) {
    try {
      inputs.push({ file, text: await readDockerfile(file) });
    } catch (e) {
      if (!(e instanceof CannotAnalyze)) throw e;
      throw new CannotAnalyze(`cannot read ${safe(file)}: ${e.message}`);
    }
  }
  const options: AnalysisOptions = { target: args.target, buildArgs: args.buildArgs };
  if (args.target !== undefined) checkTarget(args.target, inputs, options);
  const results: FileResult[] = [];
  for (const { file, text } of inputs) {
    const facts: AnalysisFacts = {};
    const contextDir = args.context ?? (file === '-' ? null : path.dirname(path.resolve(file)));
    if (contextDir) {
      if (!fs.existsSync(contextDir) || !fs.statSync(contextDir).isDirectory())
        throw new CannotAnalyze(`context ${safe(contextDir)} is not a folder`);
      facts.context = await readBuildContext(path.resolve(contextDir), { dockerfile: file });
      const git = await readGitChurn(path.resolve(contextDir));
      if (git) facts.git = git;
    }
    await addEngineFacts(args, text, facts, options);
    const forecastNote =
      args.forecast && file !== '-' ? await addForecastFacts(file, text, options, facts, args.engine) : null;
    if (forecastNote) process.stderr.write(`layer-insight: ${safe(file)}: ${safe(forecastNote)}\n`);
    const analysis = analyze(text, facts, options);
    const mismatch = analysis.mapped?.measured.mismatch;
    if (mismatch)
      process.stderr.write(
        `layer-insight: image ${args.image} does not match this Dockerfile: ${mismatch}; showing estimates per step\n`,
      );
    results.push({ file, analysis, forecastNote });
  }
  writeReport(args, results);
  const failing = severityRank(args.failOn);
  const fails = results.some((r) => r.analysis.findings.some((f) => severityRank(f.severity) <= failing));
  return fails ? EXIT.findings : EXIT.clean;
}

/**
 * As Docker: a --target that names no stage is an error. With several files, one that lacks the stage builds its
 * last stage (a note says so); a name found in none of them is a mistake.
 */
function checkTarget(target: string, inputs: { file: string; text: string }[], options: AnalysisOptions): void {
  const wanted = target.toLowerCase();
  const names = new Set<string>();
  for (const { text } of inputs) {
    for (const s of parseDockerfile(text, options).stages) {
      if (s.name === wanted) return;
      if (s.name !== null && names.size < 20) names.add(s.name);
    }
  }
  const where = inputs.length === 1 ? safe(inputs[0].file) : `any of the ${inputs.length} files`;
  const known = names.size
    ? ` (stages: ${[...names].map(safe).join(', ')})`
    : ' (no stage has a name: name one with FROM ... AS NAME)';
  throw new CannotAnalyze(`target stage "${safe(target)}" could not be found in ${where}${known}`);
}

function writeReport(args: AnalyzeArgs, results: FileResult[]): void {
  let out: string;
  if (args.format === 'json') {
    const reports = results.map((r) => ({
      ...toJson(r.file, r.analysis),
      ...(r.forecastNote ? { forecastNote: r.forecastNote } : {}),
    }));
    out = terminalSafeJson(reports.length === 1 ? reports[0] : reports, 2) + '\n';
  } else if (args.format === 'sarif') {
    out = terminalSafeJson(toSarif(results, VERSION), 2) + '\n';
  } else {
    out = results.map((r) => toText(r.file, r.analysis, { color: args.color })).join('\n');
  }
  try {
    process.stdout.write(out);
  } catch (e) {
    // a file as stdout fails at once (a pipe or terminal fails later, in the 'error' event: see onWriteError)
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE') throw new CannotAnalyze(`cannot write to standard output: ${code ?? (e as Error).message}`);
  }
}

/**
 * With --engine auto|on (or --image), measured sizes replace estimates. When the engine cannot be used, a note on
 * stderr says why: the estimates follow, or with --engine on the command stops (exit 2).
 */
async function addEngineFacts(
  args: AnalyzeArgs,
  text: string,
  facts: AnalysisFacts,
  options: AnalysisOptions,
): Promise<void> {
  if (args.engine === 'off' && !args.image) return;
  // loaded lazily: estimate mode never touches dockerode
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { measureForCli } = require('./engine/cliMeasure') as typeof import('./engine/cliMeasure');
  const stop = args.engine === 'on';
  const note = await measureForCli({
    image: args.image,
    baseImage: baseImageOf(parseDockerfile(text, options)),
    required: stop || Boolean(args.image),
    stop,
    facts,
  });
  if (!note) return;
  if (stop)
    throw new CannotAnalyze(
      `--engine on: ${safe(note)}; cannot continue without it (--engine auto falls back to estimates)`,
    );
  process.stderr.write(`layer-insight: ${safe(note)}\n`);
}

/** analyze --forecast: the last build record and today's file digests; returns why there is no forecast. */
async function addForecastFacts(
  file: string,
  text: string,
  options: AnalysisOptions,
  facts: AnalysisFacts,
  engine: AnalyzeArgs['engine'],
): Promise<string | null> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { forecastFacts } = require('./cliBuild') as typeof import('./cliBuild');
  return forecastFacts(file, text, options, facts, engine);
}

// ---------------------------------------------------------------------------------------------------------
// build

function parseBuildArgs(argv: string[]): import('./cliBuild').BuildArgs | 'help' {
  const a: import('./cliBuild').BuildArgs = {
    builder: 'buildkit',
    tag: null,
    target: undefined,
    buildArgs: {},
    context: null,
    format: 'text',
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    file: '',
  };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eqAt = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = eqAt > 0 ? [arg.slice(0, eqAt), arg.slice(eqAt + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--builder': {
        const v = value();
        if (v !== 'buildkit' && v !== 'legacy')
          throw new UsageError(`--builder must be buildkit or legacy (got "${safe(v)}")`);
        a.builder = v;
        break;
      }
      case '--tag':
      case '-t':
        a.tag = value();
        break;
      case '--target':
        a.target = value();
        break;
      case '--context':
        a.context = value();
        break;
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json (got "${safe(v)}")`);
        a.format = v;
        break;
      }
      case '--build-arg':
        addBuildArg(a.buildArgs, value());
        break;
      case '--no-color':
        a.color = false;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${safe(arg)}`);
        files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError('build takes one Dockerfile (a file on disk)');
  a.file = files[0];
  return a;
}

async function runBuildCommand(argv: string[]): Promise<number> {
  const args = parseBuildArgs(argv);
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  let text: string;
  try {
    text = await readDockerfile(args.file);
  } catch (e) {
    if (!(e instanceof CannotAnalyze)) throw e;
    throw new CannotAnalyze(`cannot read ${safe(args.file)}: ${e.message}`);
  }
  const context = args.context ?? path.dirname(path.resolve(args.file));
  if (!fs.existsSync(context) || !fs.statSync(context).isDirectory())
    throw new CannotAnalyze(`context ${safe(context)} is not a folder`);
  if (args.target !== undefined) checkTarget(args.target, [{ file: args.file, text }], {});
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runBuild } = require('./cliBuild') as typeof import('./cliBuild');
  const run = await runBuild(args, text);
  if (run.code === 'no-engine') throw new CannotAnalyze(`build needs a Docker engine: ${safe(run.message)}`);
  if (run.code === 'failed') {
    process.stderr.write(`layer-insight: ${safe(run.message)}\n`);
    return EXIT.buildFailed;
  }
  process.stderr.write(`layer-insight: ${safe(run.message)}\n`);
  return EXIT.clean;
}

// ---------------------------------------------------------------------------------------------------------
// lsp

/** The transports vscode-languageserver takes from the command line. */
const TRANSPORT = /^--(?:stdio|node-ipc|socket=\d+|pipe=.+)$/;

function checkLspArgs(argv: string[]): 'help' | void {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const ok = argv.some(
    (a, i) =>
      TRANSPORT.test(a) ||
      (a === '--socket' && /^\d+$/.test(argv[i + 1] ?? '')) ||
      (a === '--pipe' && argv[i + 1] !== undefined),
  );
  if (!ok) {
    throw new UsageError(
      'lsp needs a transport: --stdio (what editors use: messages on standard input and output), ' +
        '--node-ipc (a Node parent process), --socket=PORT or --pipe=NAME',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        return await runAnalyze(rest);
      case 'build':
        return await runBuildCommand(rest);
      case 'lsp': {
        if (checkLspArgs(rest) === 'help') {
          process.stdout.write(`${USAGE}\n`);
          return EXIT.clean;
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./server') as typeof import('./server')).runServerProcess();
        return -1; // keeps running
      }
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return EXIT.clean;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.clean;
      default:
        throw new UsageError(`unknown command "${safe(command)}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`layer-insight: ${e.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (e instanceof CannotAnalyze) {
      process.stderr.write(`layer-insight: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

function internalError(e: unknown): void {
  const text = (e as Error)?.stack ?? String(e);
  process.stderr.write(
    `layer-insight: internal error (a bug: please report it): ${text.split('\n').map(safe).join('\n')}\n`,
  );
  process.exit(EXIT.internal);
}

/**
 * Output into a closed pipe (`| head`) ends quietly: the rest is dropped, the exit code stays. Any other failure to
 * write (a full disk) ends with exit 2 and says so on stderr.
 */
function onWriteError(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    if (stream !== process.stderr)
      process.stderr.write(`layer-insight: cannot write to ${name}: ${e.code ?? e.message}\n`);
    process.exit(EXIT.usage);
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] !== 'lsp') {
    // the language server keeps its own handling (it must outlive one bad request)
    onWriteError(process.stdout, 'standard output');
    onWriteError(process.stderr, 'standard error');
    process.on('uncaughtException', internalError);
    process.on('unhandledRejection', internalError);
  }
  main(args).then((code) => {
    if (code >= 0) process.exitCode = code;
  }, internalError);
}
