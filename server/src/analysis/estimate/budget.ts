// The size estimate's work budget. Estimating walks what earlier steps and stages wrote (a COPY --from reads the
// files of its stage, a stage FROM another starts with a copy of its files), which a crafted file can make quadratic:
// 100,000 stages in a chain, 200,000 copies from one big stage. Work is counted in units (a file looked at, copied or
// compared); past the budget the steps left get no size and a note instead. Real files use a small fraction of it
// (the 5,000-line benchmark file 5,000 units: one per step).
//
// One meter per estimateSteps call, set at its start: the analysis is synchronous, so module state is safe here.

export const MAX_ESTIMATE_WORK = 10_000_000;

/** Thrown by charge() when the budget is spent; estimateSteps catches it and says so on the steps left. */
export class EstimateBudgetSpent extends Error {
  constructor() {
    super('size estimate stopped: the file takes more work than the estimate allows');
  }
}

/**
 * Context files compared with a COPY source per unit: a path test costs a fraction of the other units, and a real
 * project's context (up to 50,000 files) with a few hundred COPY lines must stay far inside the budget.
 */
export const FILES_PER_UNIT = 8;

let left = MAX_ESTIMATE_WORK;

/** Starts a new estimate's meter. */
export function resetWork(units = MAX_ESTIMATE_WORK): void {
  left = units;
}

/** Counts `units` of work; throws EstimateBudgetSpent once the budget is spent. */
export function charge(units: number): void {
  left -= units;
  if (left < 0) throw new EstimateBudgetSpent();
}
