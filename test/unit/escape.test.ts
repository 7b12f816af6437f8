// Output injection (issue 12): what a Dockerfile says reaches a terminal (the CLI's text report) and a Markdown
// renderer (the hover). Neither may obey it: no control character reaches the terminal but our own colours, and no
// link, image or HTML in a hover comes from the file. Markdown is rendered here with markdown-it (html and linkify
// on: stricter than VS Code's renderer, which also links bare URLs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { escapeControls, markdownCode, markdownText, terminalSafeJson } from '../../server/src/report/escape';
import { stepHover } from '../../server/src/report/describe';
import { toText } from '../../server/src/report/text';

interface MarkdownIt {
  render(s: string): string;
  renderInline(s: string): string;
  utils: { escapeHtml(s: string): string };
}
// markdown-it comes with @vscode/vsce (a devDependency); it has no types here
// eslint-disable-next-line @typescript-eslint/no-require-imports
const md = (require('markdown-it') as (o: object) => MarkdownIt)({ html: true, linkify: true });

const ESC = '\u001b';
const BEL = '\u0007';
/** Terminal escapes a Dockerfile can carry: clipboard write (OSC 52), screen clear, hyperlink (OSC 8), CSI as C1. */
const HOSTILE_LINE = `RUN echo "${ESC}]52;c;ZXZpbA==${BEL}" "${ESC}[2J${ESC}[H" "${ESC}]8;;http://evil.example/${ESC}\\x${ESC}]8;;${ESC}\\" "\u009b31m" "\u202e" "\u007f"`;
const RAW_CONTROL_BUT_NEWLINE =
  // eslint-disable-next-line no-control-regex -- the characters that must not reach a terminal
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('escapeControls shows every control character as a visible escape and leaves other text alone', () => {
  assert.equal(escapeControls(`a${ESC}[2Jb`), 'a\\x1b[2Jb');
  assert.equal(escapeControls('\u0000\u0007\n\r\u007f\u0085\u009b'), '\\x00\\x07\\x0a\\x0d\\x7f\\x85\\x9b');
  assert.equal(
    escapeControls('\u202eevil\u202c \u2066x\u2069 \u200f \u061c \u2028'),
    '\\u202eevil\\u202c \\u2066x\\u2069 \\u200f \\u061c \\u2028',
  );
  const plain = 'tab\tstays · ≈ 85.0 MB … é 😀 ^[ \\x1b';
  assert.equal(escapeControls(plain), plain);
});

test('the text report writes no control character from the Dockerfile; with colour only our SGR codes', () => {
  const text = `FROM alpine:3.20 AS build${ESC}[31m\n${HOSTILE_LINE}\nFROM al${ESC}]52;c;eA==${BEL}pine\nCOPY . .\nRUN npm ci --x${ESC}[2J\nCOPY --from=build /a /b${ESC}[2J\n`;
  const a = analyze(text, {}, { target: `x${ESC}[2J` }); // a target that names no stage: a note quoting it
  assert.ok(
    a.model.problems.some((p) => p.includes(ESC)),
    'the notes quote the Dockerfile too',
  );
  assert.ok(
    a.findings.some((f) => f.message.includes(ESC)),
    'and so do the findings',
  );
  const plain = toText(`Docker${ESC}]0;title${BEL}file`, a, { color: false });
  const bad = RAW_CONTROL_BUT_NEWLINE.exec(plain);
  assert.equal(bad, null, `raw U+${bad?.[0].charCodeAt(0).toString(16)} in the report`);
  assert.match(plain, /RUN echo "\\x1b\]52;c;ZXZpbA==\\x07"/, 'the escape is shown, readable');
  assert.match(plain, /^Docker\\x1b\]0;title\\x07file/, 'the file name too');
  const coloured = toText('Dockerfile', a, { color: true });
  // eslint-disable-next-line no-control-regex
  const withoutOurs = coloured.replace(/\u001b\[[0-9;]*m/g, '');
  assert.equal(RAW_CONTROL_BUT_NEWLINE.exec(withoutOurs), null, 'only SGR colour sequences remain');
  // eslint-disable-next-line no-control-regex
  assert.ok(!/\u001b\[2J/.test(coloured));
});

test('terminalSafeJson: no raw DEL, C1 or bidi control, and it parses back to the same value', () => {
  const value = { message: `a\u009b31m b\u202e c\u007f d${ESC}[2J é ≈`, n: [1, 'x\u2028y'] };
  const json = terminalSafeJson(value, 2);
  assert.equal(RAW_CONTROL_BUT_NEWLINE.exec(json), null);
  assert.deepEqual(JSON.parse(json), value);
  assert.equal(terminalSafeJson({ plain: 'é ≈ 85 MB' }), JSON.stringify({ plain: 'é ≈ 85 MB' }));
});

const HOSTILE_MARKDOWN = [
  '![x](http://evil.example/pixel.png)',
  '[click me](command:workbench.action.terminal.new)',
  '[a]: http://evil.example',
  '<img src=x onerror=alert(1)>',
  '<a href="http://evil.example">x</a>',
  'see http://evil.example and www.evil.example',
  'mail me@evil.example',
  'bare evil.example link',
  '# heading',
  '- item',
  '+ item',
  '> quote',
  '1. one',
  '2) two',
  '---',
  '===',
  '    indented code',
  '**bold** _it_ ~~s~~',
  '`code` ``x``',
  '```fence',
  '~~~fence',
  '&lt;b&gt; &#91;x&#93;(y)',
  'a\\[b\\]\\',
  'trailing  ',
  'COPY . . at line 3',
  `line${ESC}]8;;http://x${BEL}y\nnext\n\n# h`,
  '| a | b |',
  '<http://evil.example>',
  'x [y]: z',
  '![',
  '](http://evil.example)',
  '\\',
  '*',
  '_a_',
  '$(alert)',
  'a<!-- c -->b',
  '<?php ?>',
  '<![CDATA[x]]>',
];

/** What the text renders to when it renders as itself: the text (controls escaped, leading blanks dropped), as HTML. */
const asItself = (s: string) => md.utils.escapeHtml(escapeControls(s).replace(/^[ \t]+/, ''));

test('markdownText renders as exactly its text: no link, image, autolink, HTML, emphasis or block', () => {
  for (const s of HOSTILE_MARKDOWN) {
    assert.equal(md.renderInline(markdownText(s)), asItself(s), JSON.stringify(s));
    // as the text of a list item, where a hover puts cache reasons
    assert.equal(
      md.render(`- ${markdownText(s)}`).replace(/\n/g, ''),
      `<ul><li>${asItself(s).trimEnd()}</li></ul>`,
      `list item ${JSON.stringify(s)}`,
    );
  }
});

test('markdownText on random strings of Markdown characters (fixed seed) still renders as itself', () => {
  const alphabet = [
    '[',
    ']',
    '(',
    ')',
    '!',
    '<',
    '>',
    '&',
    '#',
    ';',
    '*',
    '_',
    '~',
    '`',
    '\\',
    ':',
    '/',
    '.',
    '@',
    '-',
    '+',
    '=',
    '|',
    ' ',
    'a',
    'w',
    'http',
    'www.',
    'x.com',
    '1',
    '<a>',
    '&amp;',
    '\u001b',
    '\n',
    '$',
  ];
  let seed = 12;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const n = 1 + Math.floor(next() * 14);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(next() * alphabet.length)];
    assert.equal(md.renderInline(markdownText(s)), asItself(s), JSON.stringify(s));
  }
});

test('markdownCode: a code span that backticks inside cannot close', () => {
  for (const s of ['a`b', '``x``', '`', 'x` ![i](http://evil.example/p.png) `', ' a ', '/usr/lib/x', `p${ESC}[2J`]) {
    assert.equal(
      md.renderInline(markdownCode(s)),
      `<code>${md.utils.escapeHtml(escapeControls(s))}</code>`,
      JSON.stringify(s),
    );
  }
});

test('a hover on hostile lines: no raw control character, and no link, image or HTML from the file', () => {
  const text =
    [
      'FROM al![i](http://evil.example/t.png)pine AS [x](http://evil.example/s)',
      'FROM ubuntu:22.04 AS b<img src=x>',
      'COPY [l](command:rm) <b>x</b> /app/',
      `RUN apt-get install -y curl![i](http://evil.example/p.png) && echo "${ESC}]52;c;ZXZpbA==${BEL}" [c](http://evil.example)`,
      'ADD http://evil.example/<script>.tgz /x',
      'COPY --from=[s](http://evil.example) /a /b',
      HOSTILE_LINE,
    ].join('\n') + '\n';
  const a = analyze(text, {}, {});
  assert.equal(a.steps.length, 7);
  for (const s of a.steps) {
    const hover = stepHover(a, s);
    assert.equal(RAW_CONTROL_BUT_NEWLINE.exec(hover), null, `line ${s.step.line}: a raw control character`);
    const html = md.render(hover);
    assert.doesNotMatch(
      html,
      /<(?!\/?(?:p|strong|ul|li|code)>)/,
      `line ${s.step.line}: only our own Markdown becomes HTML:\n${html}`,
    );
  }
  assert.ok(
    a.steps.some((s) => md.render(stepHover(a, s)).includes('al![i](http://evil.example/t.png)pine')),
    'the hostile text is shown, as text',
  );
  // the escapes are for rendering: an editor that shows the raw Markdown still reads our prose as it was
  assert.match(stepHover(a, a.steps[2]), /because of COPY \\\[l\\\]\(command:rm\) \\<b\\>x\\<\/b\\> \/app\/ at line 3/);
});
