// `layer-insight build`: builds a Dockerfile with the engine (context: the Dockerfile's folder or --context), measures
// and maps the image, says for each step whether it came from the cache and, when it ran, the first cause (compared
// with the record of the last build), and records this build's inputs for the next forecast (facts/buildRecords.ts).
// Loaded only for `build` and `analyze --forecast`: estimate mode never loads dockerode.

import * as path from 'node:path';
import { analyze } from './analysis/analyze';
import type { Builder } from './analysis/buildInputs';
import type { BuildRecord } from './analysis/buildRecord';
import { gatherBuildFacts } from './facts/buildFacts';
import { cliRecordDir } from './facts/buildRecords';
import { recordedBuild } from './recordedBuild';
import type { AnalysisFacts, AnalysisOptions } from './analysis/model';
import { parseDockerfile } from './analysis/parse';
import { connect, probeEngine, resolveFromProcess } from './engine/connect';
import { imageIds } from './engine/imageIds';
import { checkImageReference } from './engine/imageName';
import { escapeControls as safe, terminalSafeJson } from './report/escape';
import { toJson } from './report/json';
import { toText } from './report/text';
import { defaultTag } from './engine/service';

export interface BuildArgs {
  builder: Builder;
  tag: string | null;
  target: string | undefined;
  buildArgs: Record<string, string>;
  context: string | null;
  format: 'text' | 'json';
  color: boolean;
  file: string;
}

export interface BuildRun {
  code: 'ok' | 'failed' | 'no-engine';
  message: string;
}

/** Builds, maps, explains and records; writes the report to stdout and progress to stderr. */
export async function runBuild(a: BuildArgs, text: string): Promise<BuildRun> {
  const file = path.resolve(a.file);
  const resolved = resolveFromProcess();
  const state = await probeEngine(resolved, 5000);
  if (state.status !== 'connected')
    return { code: 'no-engine', message: state.message.replace(/^estimates only: /, '') };
  const run = await recordedBuild(connect(resolved, 0), {
    dockerfile: file,
    text,
    context: path.resolve(a.context ?? path.dirname(file)),
    builder: a.builder,
    tag: a.tag ?? defaultTag(file),
    target: a.target,
    buildArgs: a.buildArgs,
    recordDir: cliRecordDir(),
    storageDriver: state.storageDriver,
    onProgress: (p) => process.stderr.write(`${safe(p.message)}\n`),
  });
  if (!run.ok || !run.facts || !run.record) return { code: 'failed', message: run.message };
  if (run.recordError) process.stderr.write(`layer-insight: ${safe(run.recordError)}\n`);
  const analysis = analyze(text, run.facts, {
    target: a.target,
    buildArgs: a.buildArgs,
    buildkit: a.builder === 'buildkit',
  });
  // right after the build the next one takes everything from the cache: the report is about this one
  delete analysis.forecast;
  writeBuildReport(a, analysis, run.message, run.record, run.recordFile ?? '');
  return { code: 'ok', message: run.message };
}

function writeBuildReport(
  a: BuildArgs,
  analysis: ReturnType<typeof analyze>,
  message: string,
  record: BuildRecord,
  saved: string,
): void {
  if (a.format === 'json') {
    const { forecast: _next, ...json } = toJson(a.file, analysis);
    const report = {
      ...json,
      steps: json.steps.map(({ forecast: _f, ...s }) => s),
      build: {
        image: record.image.tag,
        imageId: record.image.id,
        builder: record.builder,
        seconds: record.durationMs / 1000,
        record: saved || null,
      },
    };
    process.stdout.write(terminalSafeJson(report, 2) + '\n');
    return;
  }
  const lines = [safe(message), ''];
  for (const s of analysis.steps) {
    if (!s.lastBuild) continue;
    const secs = s.lastBuild.seconds !== undefined ? ` ${s.lastBuild.seconds.toFixed(1)} s` : '';
    const what = s.lastBuild.hit ? 'cached' : `ran${secs}: ${safe(s.lastBuild.cause ?? '')}`;
    lines.push(`  line ${s.step.line} ${s.step.keyword.padEnd(7)} ${what}`);
  }
  if (saved) lines.push('', `recorded for the next forecast: ${safe(saved)}`);
  process.stdout.write(lines.join('\n') + '\n\n' + toText(a.file, analysis, { color: a.color }));
}

/** For `analyze --forecast`: the record and today's digests (and, unless --engine off, the base image IDs). */
export async function forecastFacts(
  file: string,
  text: string,
  options: AnalysisOptions,
  facts: AnalysisFacts,
  engine: 'auto' | 'on' | 'off',
): Promise<string | null> {
  const model = parseDockerfile(text, options);
  const baseIds = engine === 'off' ? undefined : await engineBaseIds(engine === 'on');
  facts.build = await gatherBuildFacts({
    dockerfile: path.resolve(file),
    model,
    context: facts.context,
    recordDir: cliRecordDir(),
    baseIds: baseIds ?? undefined,
  });
  if (!facts.build.record) return facts.build.reason ?? 'no build of this Dockerfile was recorded';
  return null;
}

async function engineBaseIds(
  required: boolean,
): Promise<((refs: string[]) => Promise<Map<string, string | null>>) | null> {
  const resolved = resolveFromProcess();
  const state = await probeEngine(resolved, required ? 5000 : 1500);
  if (state.status !== 'connected') return null;
  const docker = connect(resolved, 30_000);
  return (refs) =>
    imageIds(
      docker,
      refs.filter((r) => {
        try {
          checkImageReference(r);
          return true;
        } catch {
          return false;
        }
      }),
    );
}
