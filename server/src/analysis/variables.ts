// Docker's variable substitution, as the builder applies it to FROM, COPY/ADD paths, WORKDIR, ENV and ARG:
// $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}; the escape character before $
// keeps it literal. Unknown variables expand to the empty string, as in Docker.

/** What expansion reads: a name's value (null: declared without a value), and whether it is declared. */
export interface Scope {
  get(name: string): string | null | undefined;
  has(name: string): boolean;
}

export function expand(text: string, scope: Scope, escapeChar = '\\'): string {
  if (!text.includes('$')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escapeChar && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = findClose(text, i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      out += substitute(text.slice(i + 2, close), scope, escapeChar);
      i = close;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += c;
      continue;
    }
    out += scope.get(m[0]) ?? '';
    i += m[0].length;
  }
  return out;
}

function findClose(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(inner: string, scope: Scope, escapeChar: string): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(inner);
  if (!m) return '';
  const [, name, op, word = ''] = m;
  const has = scope.has(name) && scope.get(name) !== null;
  const value = scope.get(name) ?? '';
  switch (op) {
    case ':-':
      return value !== '' ? value : expand(word, scope, escapeChar);
    case '-':
      return has ? value : expand(word, scope, escapeChar);
    case ':+':
      return value !== '' ? expand(word, scope, escapeChar) : '';
    case '+':
      return has ? expand(word, scope, escapeChar) : '';
    default:
      return value;
  }
}

/** Names of the variables a text refers to ($X, ${X}, ${X:-y}). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1] ?? m[2]);
  return [...names];
}
