// The CLI's JSON output: exactly the contract in DESIGN.md (one object per file).

import { fixesForAll, groupFindings, placesOf } from '../analysis/groups';
import type { Analysis, Finding, Fix, Forecast } from '../analysis/model';

export interface JsonReport {
  file: string;
  stages: { index: number; name: string | null; from: string; line: number; final: boolean }[];
  steps: {
    line: number;
    endLine: number;
    stage: number | null;
    instruction: string;
    layer: boolean;
    /** lowerBound: the layer is at least `bytes` (the basis says what is left out). */
    size: { bytes: number; source: 'estimate' | 'measured'; basis: string; lowerBound: boolean } | null;
    cacheRisk: { level: 'low' | 'medium' | 'high'; reasons: string[] };
    /** With a recorded build (analyze --forecast): whether the next build re-runs the step, why, and its cost. */
    forecast?: {
      rerun: boolean;
      cause: string | null;
      seconds: number | null;
      bytes: number | null;
      source: 'estimate' | 'measured';
    };
    /** After a build: whether the step came from the cache and, when it ran, the first cause. */
    cache?: { hit: boolean; cause: string | null };
  }[];
  /**
   * One entry per finding; the same finding (rule, severity and message) at several places is one entry with
   * `places` (each place's lines, in order; `line` and `endLine` are the first place's) and `fixes` that fix every
   * place at once. `places` is absent for a finding at one place.
   */
  findings: {
    rule: string;
    severity: string;
    line: number;
    endLine: number;
    message: string;
    hadolint?: string;
    places?: { line: number; endLine: number }[];
    fixes: {
      title: string;
      edits: { startLine: number; startColumn: number; endLine: number; endColumn: number; newText: string }[];
    }[];
  }[];
  /**
   * complete: false when the final base is not in the table or a step of the final image has no size or a lower
   * bound (then `bytes` is a lower bound, and `note` says what is left out; `unknownBase` names an unknown base).
   */
  image: {
    bytes: number;
    source: 'estimate' | 'measured';
    complete: boolean;
    unknownBase?: string;
    note?: string;
    /** Measured only: what the bytes mean ("overlay2 on-disk, uncompressed", "tar size, uncompressed, Podman ..."). */
    sizeKind?: string;
  } | null;
  /**
   * With --forecast: the steps (lines) the next build re-runs and their cost, compared with the build recorded at
   * `since`; null when no build was recorded (`forecastNote` says so).
   */
  forecast?: (Omit<Forecast, 'lines'> & { steps: number[] }) | null;
  forecastNote?: string;
}

function finding(f: Finding, fixes: Fix[], places?: { line: number; endLine: number }[]): JsonReport['findings'][0] {
  return {
    rule: f.rule,
    severity: f.severity,
    line: f.line,
    endLine: f.endLine,
    message: f.message,
    ...(f.hadolint ? { hadolint: f.hadolint } : {}),
    ...(places ? { places } : {}),
    fixes: fixes.map((x) => ({ title: x.title, edits: x.edits.map((e) => ({ ...e })) })),
  };
}

export function toJson(file: string, a: Analysis): JsonReport {
  return {
    file,
    stages: a.model.stages.map((s) => ({ index: s.index, name: s.name, from: s.from, line: s.line, final: s.final })),
    steps: a.steps.map(({ step, size, cacheRisk, forecast, lastBuild }) => ({
      line: step.line,
      endLine: step.endLine,
      stage: step.stage < 0 ? null : step.stage,
      instruction: step.keyword,
      layer: step.createsLayer,
      size: size
        ? { bytes: size.bytes, source: size.source, basis: size.basis, lowerBound: size.lowerBound === true }
        : null,
      cacheRisk: { level: cacheRisk.level, reasons: cacheRisk.reasons },
      ...(forecast ? { forecast: { ...forecast } } : {}),
      ...(lastBuild ? { cache: { ...lastBuild } } : {}),
    })),
    findings: groupFindings(a.findings).map((g) =>
      g.members.length === 1 ? finding(g.first, g.first.fixes) : finding(g.first, fixesForAll(g), placesOf(g)),
    ),
    image: a.image
      ? {
          bytes: a.image.bytes,
          source: a.image.source,
          complete: a.image.complete,
          ...(a.image.unknownBase !== undefined ? { unknownBase: a.image.unknownBase } : {}),
          ...(a.image.note !== undefined ? { note: a.image.note } : {}),
          ...(a.image.sizeKind !== undefined ? { sizeKind: a.image.sizeKind } : {}),
        }
      : null,
    ...(a.forecast !== undefined ? { forecast: forecastJson(a.forecast) } : {}),
  };
}

function forecastJson(f: Analysis['forecast']): JsonReport['forecast'] {
  if (!f) return null;
  const { lines, ...rest } = f;
  return { steps: [...lines], ...rest, notes: [...rest.notes] };
}
