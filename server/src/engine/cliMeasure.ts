// Measured sizes for the CLI (--engine auto|on, --image REF).

import type { AnalysisFacts, AnalysisOptions } from '../analysis/model';

export interface CliMeasureRequest {
  text: string;
  image: string | null;
  required: boolean;
  options: AnalysisOptions;
  facts: AnalysisFacts;
}

/** Adds facts.measured when an engine and an image are available; returns a note saying why not otherwise. */
export async function measureForCli(req: CliMeasureRequest): Promise<string | null> {
  void req;
  return 'engine measurement is not available in this build; showing estimates';
}
