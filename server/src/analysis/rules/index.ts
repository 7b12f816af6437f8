// The rule registry. Each rule lives in its own file; add it here.

import type { Rule } from './rule';

export const RULES: Rule[] = [];
