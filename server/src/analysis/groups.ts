// Repeated findings read as one: the findings of one rule with the same severity and the same message (discourse's
// twelve ADD lines that could be COPY) form a group with one place per finding. The analysis keeps one finding per
// place (an editor needs one diagnostic per place to underline it, and each place keeps its own fix); the reports
// show a group once, with its places, and offer one fix that fixes every place.

import type { Finding, Fix, TextEdit } from './model';

/** Where a finding is (1-based lines, inclusive). */
export interface Place {
  line: number;
  endLine: number;
}

/** Findings of one rule with one severity and one message, in line order (a single finding is a group of one). */
export interface FindingGroup {
  /** The first finding: its line is the group's first place. */
  readonly first: Finding;
  readonly members: readonly Finding[];
}

const memo = new WeakMap<readonly Finding[], readonly FindingGroup[]>();

/**
 * The findings grouped, in the order of each group's first finding. Linear in the findings; kept per findings array
 * (the language server asks again for each code action on the same analysis).
 */
export function groupFindings(findings: readonly Finding[]): readonly FindingGroup[] {
  const kept = memo.get(findings);
  if (kept) return kept;
  const byKey = new Map<string, Finding[]>();
  const groups: FindingGroup[] = [];
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.severity}\u0000${f.message}`;
    const members = byKey.get(key);
    if (members) members.push(f);
    else {
      const list = [f];
      byKey.set(key, list);
      groups.push({ first: f, members: list });
    }
  }
  memo.set(findings, groups);
  return groups;
}

/** The places of a group, in line order. */
export function placesOf(group: FindingGroup): Place[] {
  return group.members.map((f) => ({ line: f.line, endLine: f.endLine }));
}

/**
 * The fixes that fix every place of a group at once: for each fix title every member offers, one fix with all their
 * edits ("Fix all 12: Use COPY"). None for a single finding, nor for a title whose edits would overlap (each
 * member's fix must edit its own place: applied together, they must not touch the same text).
 */
export function fixesForAll(group: FindingGroup): Fix[] {
  const n = group.members.length;
  if (n < 2) return [];
  const out: Fix[] = [];
  for (const fix of group.first.fixes) {
    const edits: TextEdit[] = [];
    for (const f of group.members) {
      const same = f.fixes.find((x) => x.title === fix.title);
      if (!same) {
        edits.length = 0;
        break;
      }
      edits.push(...same.edits);
    }
    if (edits.length === 0 || overlapping(edits)) continue;
    // not preferred: at each place, that place's own fix is
    out.push({ title: `Fix all ${n}: ${fix.title}`, edits });
  }
  return out;
}

/** Whether two of the edits overlap, or start at the same position (two insertions there have no order). */
function overlapping(edits: readonly TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.startLine - b.startLine || a.startColumn - b.startColumn);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    const sameStart = b.startLine === a.startLine && b.startColumn === a.startColumn;
    if (sameStart || b.startLine < a.endLine || (b.startLine === a.endLine && b.startColumn < a.endColumn)) return true;
  }
  return false;
}
