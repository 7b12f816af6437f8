// PEP 508 environment markers (`sys_platform == 'linux' and python_version >= '3.9'`), as Python lockfiles and
// requirements write them on a dependency, evaluated for the image being built: Linux on x86_64 (or arm64) with the
// stage's CPython. Used to drop the Windows- and macOS-only packages of a lockfile and to pick the Linux fork of a
// package a uv.lock resolved twice. A marker that cannot be read counts as true (the package is kept).

export interface PyEnv {
  /** "3.12" */
  python: string;
  /** "x86_64" or "aarch64". */
  machine: string;
  /** Extras asked for (`--extra gpu`); a marker on any other extra is false. */
  extras?: readonly string[];
}

export const DEFAULT_PY_ENV: PyEnv = { python: '3.12', machine: 'x86_64' };

/** The platform a stage is built for ("linux/arm64", null: amd64) as a marker environment. */
export function pyEnvFor(platform: string | null, python: string, extras: readonly string[] = []): PyEnv {
  return { python, machine: /arm64|aarch64/.test(platform ?? '') ? 'aarch64' : 'x86_64', extras };
}

/** Whether `marker` holds in `env`; true for an empty or unreadable marker. Linear in the marker's length. */
export function markerHolds(marker: string | undefined, env: PyEnv): boolean {
  if (!marker || !marker.trim()) return true;
  const tokens = tokenize(marker);
  if (!tokens) return true;
  // shunting-yard over and/or/parentheses, each comparison evaluated as it is read: no recursion on the nesting
  const values: boolean[] = [];
  const ops: string[] = [];
  const apply = (): boolean => {
    const op = ops.pop();
    const b = values.pop();
    const a = values.pop();
    if (a === undefined || b === undefined) return false;
    values.push(op === 'and' ? a && b : a || b);
    return true;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '(') ops.push(t);
    else if (t === ')') {
      while (ops.length && ops[ops.length - 1] !== '(') if (!apply()) return true;
      if (ops.pop() !== '(') return true;
    } else if (t === 'and' || t === 'or') {
      while (ops.length && ops[ops.length - 1] !== '(' && (t === 'or' || ops[ops.length - 1] === 'and'))
        if (!apply()) return true;
      ops.push(t);
    } else {
      const op = tokens[i + 1];
      const rhs = tokens[i + 2];
      if (op === undefined || rhs === undefined) return true;
      values.push(compare(t, op, rhs, env));
      i += 2;
    }
  }
  while (ops.length) if (ops[ops.length - 1] === '(' || !apply()) return true;
  return values.length === 1 ? values[0] : true;
}

/** Words, quoted strings (kept with a leading quote) and parentheses; `not in` as one operator. Null if unreadable. */
function tokenize(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') i++;
    else if (c === '(' || c === ')') out.push(s[i++]);
    else if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return null;
      out.push("'" + s.slice(i + 1, end));
      i = end + 1;
    } else if ('<>=!~'.includes(c)) {
      let j = i;
      while (j < s.length && '<>=!~'.includes(s[j])) j++;
      out.push(s.slice(i, j));
      i = j;
    } else {
      let j = i;
      while (j < s.length && !' \t()"\'<>=!~'.includes(s[j])) j++;
      if (j === i) return null;
      const w = s.slice(i, j);
      if (w === 'in' && out[out.length - 1] === 'not') out[out.length - 1] = 'not in';
      else out.push(w);
      i = j;
    }
  }
  return out;
}

/** One `lhs op rhs` comparison; an unknown variable or operator counts as true. */
function compare(lhs: string, op: string, rhs: string, env: PyEnv): boolean {
  const l = value(lhs, env);
  const r = value(rhs, env);
  if (lhs === 'extra' || rhs === 'extra') {
    const wanted = lhs === 'extra' ? r : l;
    const has = wanted !== null && (env.extras ?? []).includes(wanted.toLowerCase().replace(/[-_.]+/g, '-'));
    return op === '==' || op === '===' ? has : op === '!=' ? !has : true;
  }
  if (l === null || r === null) return true;
  const versions = /^python(_full)?_version$/.test(lhs) || /^python(_full)?_version$/.test(rhs);
  switch (op) {
    case '==':
    case '===':
      return versions ? versionCmp(l, r) === 0 : l === r;
    case '!=':
      return versions ? versionCmp(l, r) !== 0 : l !== r;
    case 'in':
      return r.includes(l);
    case 'not in':
      return !r.includes(l);
    case '<':
      return versionCmp(l, r) < 0;
    case '<=':
      return versionCmp(l, r) <= 0;
    case '>':
      return versionCmp(l, r) > 0;
    case '>=':
      return versionCmp(l, r) >= 0;
    case '~=':
      return versionCmp(l, r) >= 0;
    default:
      return true;
  }
}

/** A token's value: a quoted string's text, an environment variable's value for `env`, null if unknown. */
function value(tok: string, env: PyEnv): string | null {
  if (tok.startsWith("'")) return tok.slice(1);
  switch (tok) {
    case 'python_version':
      return env.python;
    case 'python_full_version':
      return env.python + '.0';
    case 'sys_platform':
      return 'linux';
    case 'platform_system':
      return 'Linux';
    case 'os_name':
      return 'posix';
    case 'platform_machine':
      return env.machine;
    case 'implementation_name':
      return 'cpython';
    case 'platform_python_implementation':
      return 'CPython';
    default:
      return null;
  }
}

/** Dotted versions compared part by part as numbers ("3.10" > "3.9"; a `*` part matches anything). */
export function versionCmp(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === '*' || pb[i] === '*') return 0;
    const x = parseInt(pa[i] ?? '0', 10) || 0;
    const y = parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
