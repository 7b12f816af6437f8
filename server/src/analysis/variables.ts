// Docker's variable substitution, as the builder applies it to FROM, COPY/ADD paths, WORKDIR, ENV and ARG:
// $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}; the escape character before $
// keeps it literal. Unknown variables expand to the empty string, as in Docker.
//
// Bounded by construction: one left-to-right pass with an explicit stack for nested `${...}` (no recursion, however
// deep the nesting), and the text a substitution adds is capped (see ExpansionBudget), so that ENV lines that double
// a variable, or a word repeated many times, cannot grow the model exponentially.

/** What expansion reads: a name's value (null: declared without a value), and whether it is declared. */
export interface Scope {
  get(name: string): string | null | undefined;
  has(name: string): boolean;
}

/** Longest result of one expansion (UTF-16 code units) that substitutions may make; longer ones are cut here. */
export const MAX_EXPANSION = 64 * 1024;

/**
 * How much text substitutions may still add (shared by the expansions of one instruction), and whether an
 * expansion was cut short. An instruction gets a fresh budget; a cut expansion keeps what fitted.
 */
export interface ExpansionBudget {
  left: number;
  truncated: boolean;
}

/** Text that substitutions may add to one instruction, over all its expansions. */
export const MAX_EXPANSION_PER_INSTRUCTION = 256 * 1024;

export const newBudget = (): ExpansionBudget => ({ left: MAX_EXPANSION_PER_INSTRUCTION, truncated: false });

/** A `${...}` being read: what replaces it, unless its word is used. */
interface Frame {
  /** out.length when the frame opened (its word's expansion, when used, is appended after it). */
  outStart: number;
  /** Index in the text of its `$`: an unterminated `${` leaves the rest of the text as written. */
  textStart: number;
  /** Whether the word's expansion is the result (else `replacement` is, and the word is only skipped). */
  useWord: boolean;
  replacement: string;
  /** Plain `{` seen inside the word and not yet closed (they pair with `}` before the frame's own). */
  braces: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function nameAt(text: string, at: number): string | null {
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  return m ? m[0] : null;
}

/**
 * `text` with its variables substituted. `budget` (optional) is charged for what substitutions add and marked when
 * the result was cut; without one, each call gets its own.
 */
export function expand(text: string, scope: Scope, escapeChar = '\\', budget: ExpansionBudget = newBudget()): string {
  if (!text.includes('$')) return text;
  let out = '';
  const frames: Frame[] = [];
  /** Depth of frames whose word is skipped: nothing is written while it is above 0. */
  let skipping = 0;
  const emit = (s: string, fromScope: boolean): void => {
    if (skipping > 0 || s === '') return;
    if (fromScope) {
      // only what substitutions add is capped: the result is at most the text plus the budget
      const room = Math.max(0, Math.min(MAX_EXPANSION - out.length, budget.left));
      if (s.length > room) {
        budget.truncated = true;
        s = s.slice(0, room);
      }
      budget.left -= s.length;
    }
    out += s;
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    const top = frames.length ? frames[frames.length - 1] : undefined;
    if (c === escapeChar && text[i + 1] === '$') {
      emit('$', false);
      i++;
    } else if (c === '$' && text[i + 1] === '{') {
      const { frame, next } = open(text, i, scope, skipping > 0);
      frame.outStart = out.length;
      frames.push(frame);
      if (!frame.useWord) skipping++;
      i = next - 1;
    } else if (c === '$') {
      const name = nameAt(text, i + 1);
      if (name === null) emit(c, false);
      else {
        emit(scope.get(name) ?? '', true);
        i += name.length;
      }
    } else if (top && c === '{') {
      top.braces++;
      emit(c, false);
    } else if (top && c === '}' && top.braces > 0) {
      top.braces--;
      emit(c, false);
    } else if (top && c === '}') {
      frames.pop();
      if (!top.useWord) {
        skipping--;
        emit(top.replacement, true);
      }
    } else {
      emit(c, false);
    }
  }
  if (frames.length) {
    // an unterminated `${`: the text from the outermost one on stays as written
    const first = frames[0];
    out = out.slice(0, first.outStart);
    skipping = 0;
    emit(text.slice(first.textStart), false);
  }
  return out;
}

/**
 * Reads the head of the `${` at `at`: `${NAME}` is done at once (a frame with no word), `${NAME<op>word}` opens a
 * frame whose word is used or skipped as the operator says, anything else is replaced by nothing (as Docker
 * rejects it). `next`: where the word (or what follows `}`) starts.
 */
function open(text: string, at: number, scope: Scope, skipped: boolean): { frame: Frame; next: number } {
  const start = at + 2;
  const name = nameAt(text, start);
  const frame: Frame = { outStart: 0, textStart: at, useWord: false, replacement: '', braces: 0 };
  if (name === null) return { frame, next: start };
  let k = start + name.length;
  let op = '';
  if (text[k] === ':' && (text[k + 1] === '-' || text[k + 1] === '+')) op = text.slice(k, k + 2);
  else if (text[k] === '-' || text[k] === '+') op = text[k];
  else if (text[k] !== '}') return { frame, next: start }; // `${A:x}`, `${A B}`: not a substitution we know
  k += op.length;
  if (skipped) return { frame, next: k };
  const value = scope.get(name) ?? '';
  const has = scope.has(name) && scope.get(name) !== null;
  switch (op) {
    case ':-':
      frame.useWord = value === '';
      frame.replacement = value;
      break;
    case '-':
      frame.useWord = !has;
      frame.replacement = value;
      break;
    case ':+':
      frame.useWord = value !== '';
      break;
    case '+':
      frame.useWord = has;
      break;
    default:
      frame.replacement = value;
  }
  return { frame, next: k };
}

/** Names of the variables a text refers to ($X, ${X}, ${X:-y}). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1] ?? m[2]);
  return [...names];
}
