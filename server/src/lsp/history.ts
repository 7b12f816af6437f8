// The history tree's layers with what the analysis of the document's current version says about their steps: why
// each ran in the last build (HistoryLayer.cause, forensics) and whether the next build re-runs it (rerun, forecast).
// The engine gives the layers and their lines; the analysis gives the rest, by line.

import type { Analysis, StepResult } from '../analysis/model';
import type { HistoryLayer, HistoryResult } from '../protocol';

/** The result with cause/rerun set on the layers whose line is a step the analysis has these facts for. */
export function withForecast(r: HistoryResult, a: Analysis | undefined): HistoryResult {
  if (!a || r.stages.length === 0) return r;
  const byLine = new Map<number, StepResult>();
  for (const s of a.steps) if (s.forecast || s.lastBuild) byLine.set(s.step.line, s);
  if (byLine.size === 0) return r;
  const layer = (l: HistoryLayer): HistoryLayer => {
    const s = l.line !== null ? byLine.get(l.line) : undefined;
    if (!s) return l;
    const out: HistoryLayer = { ...l };
    if (s.lastBuild && !s.lastBuild.hit) out.cause = s.lastBuild.cause;
    if (s.forecast?.rerun) out.rerun = { cause: s.forecast.cause };
    return out;
  };
  return { ...r, stages: r.stages.map((st) => ({ ...st, layers: st.layers.map(layer) })) };
}
