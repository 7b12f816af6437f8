// The rule registry. Each rule lives in its own file; add it here.

import { multiStageCandidate } from './multi-stage-candidate';
import type { Rule } from './rule';
import { smallerBaseCandidate } from './smaller-base-candidate';

export const RULES: Rule[] = [multiStageCandidate, smallerBaseCandidate];
