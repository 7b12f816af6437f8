// Hostile inputs for the analysis itself (issue 12, points 2 and 3): Dockerfile texts that crashed analyze(), made it
// hang, or blew up its time or memory (quadratic, exponential). Each is a generator with a size parameter and a
// name, so that other suites (the CLI and the language server over stdio) can reuse them; HOSTILE_ANALYSIS_INPUTS
// lists them at the sizes of the issue, each with what went wrong before and, where the analysis now cuts
// something short, the note it must say so with.
//
// Build contexts (FIFOs, symlinks, many files) are test/hostile/cases.ts's business; these are texts only.

const lines = (n: number, line: (i: number) => string): string => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(line(i));
  return out.join('\n') + '\n';
};

/** `${v0:-${v1:-...${vN:-x}...}}`: nested default values `depth` deep. */
export function nestedDefault(depth: number): string {
  let open = '';
  for (let i = 0; i < depth; i++) open += `\${v${i}:-`;
  return open + 'x' + '}'.repeat(depth);
}

/** A COPY source and an ENV value nested `depth` deep (recursion per level crashed the analysis). */
export function nestedDefaults(depth: number): string {
  const nested = nestedDefault(depth);
  return `FROM alpine:3.20\nENV X=${nested}\nWORKDIR /w/${nested}\nCOPY ${nested} /x\nRUN echo $X\n`;
}

/** `ENV A=$A$A` `times` times: the value doubles each time (2^times characters without a cap). */
export function envDoubling(times: number): string {
  return 'FROM alpine:3.20\nENV A=xx\n' + lines(times, () => 'ENV A=$A$A') + 'RUN echo $A\nWORKDIR /$A\nCOPY $A /$A\n';
}

/**
 * The same variable repeated in every word of `copies` COPY lines: each line's expansions are capped, and the file's.
 */
export function repeatedExpansion(copies: number, words: number): string {
  return (
    'FROM alpine:3.20\nENV A=' + 'a'.repeat(60_000) + '\n' + lines(copies, (i) => `COPY ${'$A '.repeat(words)}/d${i}/`)
  );
}

/** `n` stages, each FROM the one before (recursion per stage crashed; reasons grew by a stage name per hop). */
export function stageChain(n: number): string {
  return 'FROM alpine AS s0\nARG V\nCOPY . /src\n' + lines(n - 1, (i) => `FROM s${i} AS s${i + 1}\nRUN echo ${i}`);
}

/** `n` stages FROM the one before, each writing a file (the size estimate copies the stage's files per stage). */
export function stageChainWithFiles(n: number): string {
  return (
    'FROM alpine:3.20 AS s0\n' +
    lines(n - 1, (i) => `FROM s${i} AS s${i + 1}\nCOPY <<EOF /f${i}\nx\nEOF\nRUN rm -rf /tmp/${i}`)
  );
}

/** A final stage that COPY --from's each of `n` stages (spread arguments over every stage overflowed the stack). */
export function stageFanIn(n: number): string {
  return (
    lines(n, (i) => `FROM alpine:3.20 AS s${i}`) + 'FROM alpine:3.20\n' + lines(n, (i) => `COPY --from=s${i} /a /a${i}`)
  );
}

/** One stage with `copies` COPY --from lines over `stages` stages (the --from name was looked up stage by stage). */
export function copyFanIn(copies: number, stages: number): string {
  return (
    lines(stages, (i) => `FROM alpine:3.20 AS s${i}\nCOPY <<EOF /f\nx\nEOF`) +
    'FROM alpine:3.20\n' +
    lines(copies, (i) => `COPY --from=s${i % stages} /f /f${i}`)
  );
}

/**
 * `n` stages, each COPY --from the one before, each with inputs of its own, and a RUN after the copy that writes the
 * copied folder (so the folder's content depends on everything above it: cache reasons copied at every hop).
 */
export function copyFromChain(n: number): string {
  return (
    'FROM alpine AS s0\nARG A0\nCOPY . /src\nRUN echo $A0 >> /src/log\n' +
    lines(
      n - 1,
      (i) =>
        `FROM alpine AS s${i + 1}\nARG A${i + 1}\nCOPY src${i} /src\nCOPY --from=s${i} /src /prev\nRUN echo $A${i + 1} >> /src/log`,
    )
  );
}

/** A heredoc body line of `bytes` characters. */
export function heredocLongLine(bytes: number): string {
  return `FROM alpine:3.20\nRUN <<EOF\necho "${'a'.repeat(bytes)}"\nEOF\n`;
}

/** One RUN line with `n` heredoc openers inside a quote (each one looked for quotes from the start of the line). */
export function heredocOpeners(n: number): string {
  return `FROM alpine:3.20\nRUN cat <<EOF "${'a <<B '.repeat(n)}\nEOF\n`;
}

/** One RUN line of `n` digits before a heredoc (a look-behind over the digits at every position). */
export function heredocDigits(n: number): string {
  return `FROM alpine:3.20\nRUN ${'1'.repeat(n)}<<EOF\nEOF\n`;
}

/**
 * `n` findings silenced by an ignore comment each, and `n` more not silenced (100,000 findings in all for n = 50,000).
 */
export function ignoredFindings(n: number): string {
  return (
    'FROM ubuntu:22.04\n' +
    lines(n, () => '# hadolint ignore=DL3015\nRUN apt-get install curl') +
    lines(n, () => 'RUN apt-get install wget')
  );
}

/** `n` ignore comments in a row, then `n` findings. */
export function ignoreBlock(n: number): string {
  return (
    'FROM ubuntu:22.04\n' +
    lines(n, () => '# hadolint ignore=DL3015,DL3009') +
    lines(n, () => 'RUN apt-get install wget')
  );
}

/** An ignore comment with `n` blanks after `=` and a character no code has (the pattern backtracked). */
export function longIgnoreComment(n: number): string {
  return `# hadolint ignore=${' '.repeat(n)}!\nFROM alpine:3.20\n# hadolint ignore=DL3018${' '.repeat(n)}!\nRUN apk add curl\n`;
}

/**
 * A RUN that installs without a fix's option, then names the program `n` more times (the fix's pattern backtracked).
 */
/** `runs` apk RUNs with 20 `apk update &&` each and one with `n`: the apk-no-cache fix deletes every one of them. */
export function apkUpdates(runs: number, n: number): string {
  const out = ['FROM alpine:3.20'];
  for (let i = 0; i < runs; i++) out.push(`RUN ${'apk update && '.repeat(20)}apk add pkg${i}`);
  out.push(`RUN ${'apk update && '.repeat(n)}apk add last`);
  return out.join('\n') + '\n';
}

export function repeatedProgram(n: number): string {
  return (
    'FROM debian:12\n' +
    `RUN apt-get install curl; ${'apt-get '.repeat(n)}\n` +
    `RUN apk add curl; ${'apk '.repeat(n)}\n` +
    `RUN pip install flask; ${'pip '.repeat(n)}\n`
  );
}

/** Words and paths that made trimming and option patterns quadratic: long runs of `/`, `\`, `c` and blanks. */
export function longRuns(n: number): string {
  return (
    'FROM alpine:3.20\n' +
    `WORKDIR C:\\${'\\'.repeat(n)}x\nWORKDIR sub\n` +
    `COPY a /${'/'.repeat(n)}x\n` +
    `RUN curl -o /tmp/a http://x/a && tar -${'c'.repeat(n)}! /tmp/a\nRUN rm /tmp/a\n` +
    `RUN curl -${'O'.repeat(n)}! http://x/b\n` +
    `RUN apt-get update && apt-get install -y curl${' '.repeat(n)}x\n`
  );
}

/** `n` RUNs that delete a path no earlier step creates (each deletion looked for its creator in every step above). */
export function manyDeletions(n: number): string {
  return 'FROM alpine:3.20\nRUN curl -o /tmp/first http://x/f\n' + lines(n, (i) => `RUN rm -rf /tmp/x${i}`);
}

/** `n` RUNs of apt-get update alone (each looked for the next install through the whole stage). */
export function manyUpdates(n: number): string {
  return 'FROM debian:12\n' + lines(n, () => 'RUN apt-get update') + 'RUN apt-get install -y curl\n';
}

/** `n` pip installs in a stage chain (each walked the stages for ENV PIP_NO_CACHE_DIR). */
export function manyPipInstalls(n: number): string {
  return 'FROM python:3.12 AS base\nFROM base\n' + lines(n, (i) => `RUN pip install pkg${i}`);
}

/** `n` ARGs pending at once, then `n` steps naming none of them (each step compared every pending ARG). */
export function manyPendingArgs(n: number): string {
  return 'FROM alpine:3.20\n' + lines(n, (i) => `ARG A${i}`) + lines(n, (i) => `COPY f${i} /f${i}`) + 'RUN echo\n';
}

/** Stage names, an image reference and a variable name of `n` characters (quoted in reasons repeated per step). */
export function longNames(n: number): string {
  const name = 'n'.repeat(n);
  return (
    `ARG ${name}=1\nFROM alpine:${'t'.repeat(n)} AS ${name}\nCOPY ${'p'.repeat(n)} /x\n` +
    `FROM ${name}\nARG V_${name}\nRUN echo $V_${name}\n${lines(1000, (i) => `RUN echo ${i}`)}`
  );
}

/**
 * One RUN with `depth` undecided `if`s nested in each other, each installing a package (each command carried a guard
 * per construct around it: depth x depth).
 */
export function nestedConditions(depth: number): string {
  return (
    'FROM debian:bookworm-slim\nRUN ' +
    Array.from({ length: depth }, (_, i) => `if [ -f /x${i} ]; then apt-get install -y p${i % 50}; `).join('') +
    'fi; '.repeat(depth) +
    '\n'
  );
}

/** `n` RUNs with an undecided branch that installs a package each (every branch is sized to find the largest). */
export function manyUndecidedBranches(n: number): string {
  return (
    'FROM debian:bookworm-slim\n' +
    lines(n, (i) => `RUN if [ -f /x ]; then apt-get install -y gcc; else apt-get install -y p${i % 50}; fi`)
  );
}

/** A case whose subject (an ARG value) and pattern are both `n` characters (the matcher is length x length). */
export function longCasePattern(n: number): string {
  return `FROM alpine:3.20\nARG S=${'a'.repeat(n)}\nRUN case "$S" in ${'*a'.repeat(n / 2)}b) apk add curl ;; esac\n`;
}

/** `n` heredoc files copied into /app, each followed by a `chown -R` of the whole folder (chown-after-copy). */
export function chownAfterEachCopy(n: number): string {
  const out = ['FROM busybox'];
  for (let i = 0; i < n; i++) out.push(`COPY <<EOF /app/f${i}`, 'x', 'EOF', 'RUN chown -R nobody /app');
  return out.join('\n') + '\n';
}

/** `n` downloads, each made executable by the next RUN (the estimate's unsized paths). */
export function chmodAfterEachDownload(n: number): string {
  const out = ['FROM busybox'];
  for (let i = 0; i < n; i++)
    out.push(`ADD https://example.com/t${i} /usr/local/bin/t${i}`, `RUN chmod +x /usr/local/bin/t${i}`);
  return out.join('\n') + '\n';
}

export interface HostileAnalysisInput {
  name: string;
  /** What went wrong before issue 12. */
  was: string;
  /** The Dockerfile text (made when read: some are megabytes). */
  readonly text: string;
  /** Where the analysis now cuts something short, what its model's problems say. */
  note?: RegExp;
}

const input = (name: string, was: string, make: () => string, note?: RegExp): HostileAnalysisInput => ({
  name,
  was,
  note,
  get text() {
    return make();
  },
});

const TRUNCATED = /variable expansion truncated/;

/** The hostile analysis inputs at the sizes of issue 12 (each big one a few MB at most). */
export const HOSTILE_ANALYSIS_INPUTS: readonly HostileAnalysisInput[] = [
  input('nested-defaults-20000', 'crash: recursion per ${...:-...} level', () => nestedDefaults(20_000)),
  input(
    'env-doubling-25',
    'blow-up: the value doubles 25 times (64 MB string, 2^25)',
    () => envDoubling(25),
    TRUNCATED,
  ),
  input(
    'repeated-expansion',
    'blow-up: 60 kB value in 1,000 words of 200 COPY lines',
    () => repeatedExpansion(200, 1000),
    TRUNCATED,
  ),
  input('stage-chain-5000', 'crash: recursion per FROM <previous stage>; reasons grew by one stage name per hop', () =>
    stageChain(5000),
  ),
  input('stage-chain-files-3000', "quadratic: each stage copied its base stage's files", () =>
    stageChainWithFiles(3000),
  ),
  input('stage-fan-in-100000', 'hang: each COPY --from looked its stage up by scanning all stages', () =>
    stageFanIn(100_000),
  ),
  input('copy-fan-in-200000', 'crash: spread arguments; quadratic folder check per COPY', () =>
    copyFanIn(200_000, 200),
  ),
  input(
    'copy-from-chain-700',
    'blow-up: cache reasons copied and extended at every COPY --from hop (25 s, 3.7 GB)',
    () => copyFromChain(700),
  ),
  input('heredoc-1mb-line', 'slow: a 1 MB heredoc line', () => heredocLongLine(1_000_000)),
  input('heredoc-openers-150000', 'hang: each heredoc opener scanned the line from its start for quotes', () =>
    heredocOpeners(150_000),
  ),
  input('heredoc-digits-100000', 'quadratic: a look-behind over digits at every position', () =>
    heredocDigits(100_000),
  ),
  input('ignored-findings-50000', 'quadratic: every finding compared with every ignore comment (50 s)', () =>
    ignoredFindings(50_000),
  ),
  input('ignore-block-50000', 'quadratic: 50,000 ignore comments in a row (30 s)', () => ignoreBlock(50_000)),
  input('long-ignore-comment', 'quadratic: the ignore pattern backtracked on blanks', () => longIgnoreComment(100_000)),
  input('repeated-program', 'quadratic: the fix pattern scanned on from every repeat of the program', () =>
    repeatedProgram(30_000),
  ),
  input('apk-updates-5000', "new in issue 16: the apk-no-cache fix deletes each RUN's `apk update &&`", () =>
    apkUpdates(5000, 20_000),
  ),
  input('long-runs', 'quadratic: /[\\\\/]+$/, /\\/+$/, /^-?[a-z]*c[a-z]*f$/ on long runs', () => longRuns(100_000)),
  input('many-deletions-50000', 'quadratic: each deletion looked for its creator in every step above', () =>
    manyDeletions(50_000),
  ),
  input('many-updates-50000', 'quadratic: each update looked for the next install through the stage', () =>
    manyUpdates(50_000),
  ),
  input('many-pip-installs-50000', 'quadratic: each pip install walked the stage chain', () => manyPipInstalls(50_000)),
  input('many-pending-args-50000', 'quadratic: each step compared every pending ARG', () => manyPendingArgs(50_000)),
  input('long-names', 'blow-up: 100 kB names quoted in the reasons of every later step', () => longNames(100_000)),
  input('nested-conditions-50000', 'quadratic: a guard per undecided construct around each command', () =>
    nestedConditions(50_000),
  ),
  input('many-undecided-branches-20000', 'work: every branch of every RUN sized to find the largest', () =>
    manyUndecidedBranches(20_000),
  ),
  input('long-case-pattern', 'quadratic: a case pattern matched against a subject of the same length', () =>
    longCasePattern(60_000),
  ),
  input('chown-after-20000-copies', 'hang: each chown -R scanned every copy before it (> 120 s)', () =>
    chownAfterEachCopy(20_000),
  ),
  input(
    'chmod-after-20000-downloads',
    'work: each chmod compared with every download before it (bounded by the estimate budget)',
    () => chmodAfterEachDownload(20_000),
  ),
];
