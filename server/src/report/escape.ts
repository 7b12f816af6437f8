// Text from a Dockerfile (or from anything else we do not control: file names, stage names, image paths) made safe
// for where we show it.
//
// - A terminal: every control character would be obeyed (OSC 52 writes the clipboard, ESC [2J clears the screen,
//   OSC 8 makes hyperlinks). escapeControls shows each C0 control (except TAB), DEL, each C1 control, and the
//   invisible bidirectional-text controls ("Trojan Source": U+061C, U+200E/F, U+202A-E, U+2066-9) and the line and
//   paragraph separators U+2028/9 as a visible escape: "\x1b", "\x7f", "\x9b", "\u202e". TAB stays (it moves the
//   cursor, nothing more). The backslash form reads like the shell's printf and JSON, so it is what one would type.
// - Markdown (hovers): markdownText makes text render as itself: controls escaped as above (so it stays on its
//   line), leading blanks dropped, and a backslash before each character that could start Markdown (the list is at
//   MARKDOWN_INLINE and MARKDOWN_BLOCK_START; CommonMark lets any ASCII punctuation be escaped so), so no link,
//   image, autolink, HTML, emphasis, heading or list can come from the text. Other punctuation stays as it is, so
//   the raw Markdown stays readable for editors that show it unrendered. markdownCode puts text in a code span whose
//   fence is longer than any run of backticks inside, so the text cannot close it.

// eslint-disable-next-line no-control-regex -- these are the characters escaped
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL =
  // eslint-disable-next-line no-control-regex -- these are the characters escaped
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control character shown as an escape ("\x1b"): safe to write to a terminal. */
export function escapeControls(s: string): string {
  return CONTROL.test(s) ? s.replace(CONTROL_ALL, visible) : s;
}

// What could start Markdown inside a line: escapes, code spans, emphasis, strikethrough, links and images ("[", so
// no "![" or "](" either), autolinks and HTML ("<"), entities ("&"), the extended autolinks of GFM ("://" after a
// scheme, "www.", "@" of an e-mail address) and the bare domains ("evil.example") some renderers link (a dot
// between a word and a letter).
const MARKDOWN_INLINE = /[\\`*_~[\]<>&@]|:(?=\/\/)|(?<=www)\.|(?<=[\p{L}\p{N}_-])\.(?=\p{L})/giu;
// What could start a block at the start of a line (or of a list item's text): a heading, quote, list, rule or
// setext underline, or indented code.
const MARKDOWN_BLOCK_START = /^(?:([#>+=|-])|(\d{1,9})([.)])(?=[ \t]|$))/;

/** The text as Markdown that renders as exactly this text (controls escaped as in escapeControls). */
export function markdownText(s: string): string {
  const text = escapeControls(s)
    .replace(/^[ \t]+/, '')
    .replace(MARKDOWN_INLINE, '\\$&');
  return text.replace(
    MARKDOWN_BLOCK_START,
    (_m, mark: string | undefined, digits: string | undefined, dot: string | undefined) =>
      mark !== undefined ? `\\${mark}` : `${digits}\\${dot}`,
  );
}

/** The text as a Markdown code span (controls escaped as in escapeControls). */
export function markdownCode(s: string): string {
  const text = escapeControls(s);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charCodeAt(i) === 0x60 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  const fence = '`'.repeat(longest + 1);
  // a space inside each end, which CommonMark strips again, when the text starts or ends with a backtick (it would
  // join the fence) or with a space on both ends (one of each would be stripped)
  const pad = text === '' || /^`|`$|^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

// the controls JSON.stringify leaves as they are (it escapes U+0000-U+001F; the line breaks of indent stay)
const JSON_CONTROL = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const JSON_CONTROL_ALL = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text of a value that a terminal can show as it is: JSON.stringify already escapes C0 controls; this also
 * escapes DEL, the C1 controls and the invisible controls above as \uXXXX (only possible inside JSON strings, where
 * they parse back to the same characters).
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  const json = JSON.stringify(value, null, indent) ?? 'null';
  return JSON_CONTROL.test(json)
    ? json.replace(JSON_CONTROL_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}
