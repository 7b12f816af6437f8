// add-where-copy-fits (hadolint DL3020)
//
// What: ADD of local files or folders that are not archives.
// Why: ADD has extra behaviour: it fetches URLs and unpacks local tar archives. For plain files it does what
// COPY does, but a reader (and a reviewer) must check that no archive gets unpacked by surprise; a renamed
// file such as app.tar.gz suddenly changes what lands in the image. COPY says exactly what happens.
// Fix (../rewrite/smallFixes.ts): write COPY instead of ADD (offered when the ADD uses no ADD-only flag).

import type { Rule } from './rule';
import { isRemote } from '../sources';
import { addToCopyFix } from '../rewrite/smallFixes';

const ARCHIVE = /\.(tar|tgz|tbz2?|txz|tzst|tlz|tZ|tb2|tpz|gz|bz2|xz|zst|lz|lzma|Z)$/;
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

export const addWhereCopyFits: Rule = {
  id: 'add-where-copy-fits',
  hadolint: 'DL3020',
  severity: 'warning',
  description: "ADD of plain local files: COPY says what happens without ADD's URL and unpacking behaviour.",
  check({ model }) {
    const out: ReturnType<Rule['check']> = [];
    for (const step of model.steps) {
      if (step.keyword !== 'ADD' || step.stage < 0 || step.heredocs.length) continue;
      const sources = step.sources ?? [];
      if (
        sources.length === 0 ||
        sources.some((s) => isRemote(s) || ARCHIVE.test(s) || s.includes('$') || s.startsWith('<<'))
      )
        continue;
      const canFix = !step.flags.some((f) => ADD_ONLY_FLAGS.has(f.name));
      out.push({
        line: step.line,
        endLine: step.endLine,
        column: step.column,
        endColumn: step.column + 3,
        message: `ADD copies plain files here; use COPY, which does the same without ADD's URL fetching and archive unpacking.`,
        fixes: canFix ? addToCopyFix(model, step) : [],
      });
    }
    return out;
  },
};
