// Reading an instruction's arguments: its leading `--name=value` flags, the JSON exec form (`["a", "b"]`), shell-like
// words with quotes removed, and `K=V` assignments (ARG, ENV) with their values expanded in order.

import type { Flag } from '../model';
import { expand, type ExpansionBudget, type Scope } from '../variables';

/** Splits leading `--name[=value]` flags from the arguments. */
export function takeFlags(args: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  if (!args.startsWith('--')) return { flags, rest: args };
  let rest = args;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("[^"]*"|'[^']*'|\S*))?(\s+|$)/.exec(rest);
    if (!m) break;
    let value: string | null = m[2] ?? null;
    if (value && /^["'].*["']$/.test(value)) value = value.slice(1, -1);
    flags.push({ name: m[1].toLowerCase(), value });
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}

/** The words of the exec form (a JSON array of strings), or null for the shell form. */
export function parseExecForm(rest: string): string[] | null {
  const t = rest.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form that happens to start with '['
  }
  return null;
}

/** Shell-like word splitting with quotes removed (what Docker does for COPY/ADD/FROM/ARG/ENV words). */
export function splitWords(text: string, esc = '\\'): string[] {
  // most arguments have no quotes and no escape character: split on blanks without building words char by char
  if (!text.includes('"') && !text.includes("'") && !text.includes(esc)) {
    const t = text.trim();
    return t === '' ? [] : t.split(/\s+/);
  }
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === esc && quote === '"' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === esc))
        cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === esc && i + 1 < text.length && text[i + 1] !== '$') {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) words.push(cur);
  return words;
}

/** A scope with a few names set on top of another, without copying it. */
class Overlay implements Scope {
  private own: Map<string, string | null> | null = null;
  constructor(private readonly base: Scope) {}
  set(name: string, value: string | null): void {
    (this.own ??= new Map()).set(name, value);
  }
  get(name: string): string | null | undefined {
    return this.own?.has(name) ? this.own.get(name) : this.base.get(name);
  }
  has(name: string): boolean {
    return (this.own?.has(name) ?? false) || this.base.has(name);
  }
}

/** Reads `K=V K2=V2`, the legacy `K V` form (ENV only), or bare `K` (ARG). Values are expanded in order. */
export function readAssignments(
  words: string[],
  esc: string,
  scope: Scope,
  isArg: boolean,
  budget: ExpansionBudget,
): [string, string | null][] {
  const out: [string, string | null][] = [];
  if (!isArg && words.length >= 2 && !words[0].includes('=')) {
    out.push([words[0], expand(words.slice(1).join(' '), scope, esc, budget)]);
    return out;
  }
  // ARG A=1 B=$A: later values see earlier ones; ENV values all see the scope before the instruction
  const local = isArg && words.length > 1 ? new Overlay(scope) : null;
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) out.push([w, null]);
      continue;
    }
    const k = w.slice(0, eq);
    const v = expand(w.slice(eq + 1), local ?? scope, esc, budget);
    local?.set(k, v);
    out.push([k, v]);
  }
  return out;
}
