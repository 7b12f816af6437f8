// Builds syntaxes/dockerfile.tmLanguage.json, the TextMate grammar for Dockerfiles.
//
// Why a generator: most rules depend on the escape character (`\` by default, `` ` `` after a
// `# escape=`` ` parser directive), which decides what a line continuation and an escaped character
// look like. TextMate cannot parametrise a rule, so every rule that can meet a continuation exists twice
// in the JSON: once with the suffix "-bs" (backslash) and once with "-bt" (backtick). This file writes
// both from one description. Run `node scripts/build-grammar.mjs` after editing it; the unit test
// test/unit/grammar.test.ts fails when the committed JSON differs from what this file produces.
//
// Structure of the grammar (see also the comments on each rule):
// - A file may start with parser directives (# syntax=, # escape=, # check=); they are recognised only in
//   the run of directive lines at the very top (`\A`). An `escape=`` ` directive opens a region that lasts
//   to the end of the file and uses the "-bt" rules.
// - Each instruction is a region from its keyword to the end of its logical line: a line continuation
//   swallows the newline and any comment or blank lines that follow, so the instruction goes on.
// - Heredocs (RUN/COPY/ADD <<EOF) are an outer begin/end region (whose end is the delimiter line) around
//   an inner begin/while region (whose while-condition stops at the delimiter line even if an embedded
//   grammar left a region open). RUN bodies run by the shell embed source.shell; other bodies are strings.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const SCOPE_NAME = 'source.dockerfile.layer-insight';
const S = '.dockerfile';

/** Escape-character flavours: id suffix and the regex matching the escape character. */
const FLAVOURS = {
  bs: { esc: String.raw`\\` },
  bt: { esc: '`' },
};

const DIRECTIVE_START = String.raw`[ \t]*#[ \t]*(?i:syntax|escape|check)[ \t]*=`;
const HEREDOC_NAME = String.raw`[A-Za-z0-9_][A-Za-z0-9_.\-]*`;
const SHELL_NAMES = String.raw`(?:(?:/usr)?/bin/)?(?:ba|da|z|k|a|mk)?sh(?:[ \t]+-[A-Za-z]+)*[ \t]+`;
// After `RUN <<EOF` the body is the script itself only if nothing but a shell, an operator or a redirection
// follows on the line (`RUN <<EOF python3` feeds the body to python).
const ANCHORED_REST = String.raw`(?=[ \t]*$|[ \t]*[&|;>]|[ \t]+(?:(?:/usr)?/bin/)?(?:ba|da|z|k|a|mk)?sh(?:\s|$))`;
const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
];

const inc = (name) => ({ include: `#${name}` });
/** The begin regex of an instruction keyword, optionally behind ONBUILD. */
const keyword = (words) => String.raw`^[ \t]*(?:((?i:onbuild))[ \t]+)?((?i:${words}))(?=\s)`;
const keywordCaptures = {
  1: { name: `keyword.control.onbuild${S}` },
  2: { name: `keyword.other.special-method${S}` },
};

/** Parser directives at the top of the file, and the switch to the backtick rules after `# escape=`` `. */
function directiveRules() {
  return {
    directives: {
      comment: 'Parser directives: only in the unbroken run of directive lines that starts the file.',
      begin: String.raw`\A(?=${DIRECTIVE_START})`,
      end: String.raw`^(?!${DIRECTIVE_START})`,
      patterns: [inc('escape-backtick'), inc('directive')],
    },
    directive: {
      match: String.raw`^[ \t]*(#)[ \t]*((?i:syntax|escape|check))[ \t]*(=)[ \t]*(.*?)[ \t]*$`,
      name: `meta.directive${S}`,
      captures: {
        1: { name: `punctuation.definition.directive${S}` },
        2: { name: `keyword.other.directive${S}` },
        3: { name: `keyword.operator.assignment${S}` },
        4: { name: `string.unquoted.directive-value${S}` },
      },
    },
    'escape-backtick': {
      comment: 'After `# escape=`` ` the rest of the file uses the backtick rules. Never ends.',
      begin: String.raw`^[ \t]*(#)[ \t]*((?i:escape))[ \t]*(=)[ \t]*(` + '`' + String.raw`)[ \t]*\n`,
      beginCaptures: {
        0: { name: `meta.directive${S}` },
        1: { name: `punctuation.definition.directive${S}` },
        2: { name: `keyword.other.directive${S}` },
        3: { name: `keyword.operator.assignment${S}` },
        4: { name: `string.unquoted.directive-value${S}` },
      },
      end: '(?!)',
      patterns: [inc('directive-tail'), inc('backtick-body')],
    },
    'backtick-body': {
      comment:
        'Wraps the rest of the file so that \\G (true at each line start while a region whose begin took the newline is on top) stops matching after the directives.',
      begin: '^',
      end: '(?!)',
      patterns: [inc('main-bt')],
    },
    'directive-tail': {
      comment:
        'Directive lines right after the escape directive (\\G: the line after a begin that ended with the newline).',
      begin: String.raw`\G(?=${DIRECTIVE_START})`,
      end: String.raw`^(?!${DIRECTIVE_START})`,
      patterns: [inc('directive')],
    },
  };
}

/** Comment lines and the ignore pragmas inside them. */
function commentRules() {
  return {
    comment: {
      match: String.raw`^[ \t]*((#)(.*))$`,
      captures: {
        1: { name: `comment.line.number-sign${S}` },
        2: { name: `punctuation.definition.comment${S}` },
        3: { name: `comment.line.number-sign${S}`, patterns: [inc('pragma')] },
      },
    },
    pragma: {
      comment: 'Ignore pragmas understood by hadolint and by layer-insight.',
      match: String.raw`(?<=#)[ \t]*((?:hadolint|layer-insight)[ \t]+ignore)(=)(\S*)`,
      captures: {
        1: { name: `keyword.other.pragma${S}` },
        2: { name: `keyword.operator.assignment${S}` },
        3: { name: `constant.other.rule-id${S}` },
      },
    },
  };
}

/** Pieces of arguments that look the same whatever the escape character: variables, JSON strings, shell operators. */
function argumentRules() {
  return {
    variable: {
      patterns: [
        {
          begin: String.raw`(\$\{)([A-Za-z_][A-Za-z0-9_]*)?(:?[-+?=]|##?|%%?|//?)?`,
          beginCaptures: {
            1: { name: `punctuation.definition.variable.begin${S}` },
            2: { name: `variable.other${S}` },
            3: { name: `keyword.operator.expansion${S}` },
          },
          end: String.raw`(\})|(?=\n)`,
          endCaptures: { 1: { name: `punctuation.definition.variable.end${S}` } },
          name: `meta.interpolation${S}`,
          patterns: [inc('variable')],
        },
        {
          match: String.raw`(\$)[A-Za-z_][A-Za-z0-9_]*`,
          name: `variable.other${S}`,
          captures: { 1: { name: `punctuation.definition.variable${S}` } },
        },
      ],
    },
    'json-string': {
      begin: '"',
      beginCaptures: { 0: { name: `punctuation.definition.string.begin${S}` } },
      end: String.raw`(")|(?=\n)`,
      endCaptures: { 1: { name: `punctuation.definition.string.end${S}` } },
      name: `string.quoted.double${S}`,
      patterns: [{ match: String.raw`\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})`, name: `constant.character.escape${S}` }],
    },
    'shell-operator': {
      patterns: [
        { match: String.raw`&&|\|\|`, name: `keyword.operator.logical${S}` },
        { match: String.raw`\|`, name: `keyword.operator.pipe${S}` },
        { match: String.raw`;|&`, name: `keyword.operator.list${S}` },
        { match: String.raw`\d*(?:>>?|<(?!<))&?`, name: `keyword.operator.redirect${S}` },
      ],
    },
  };
}

/** Heredoc pieces that do not depend on the escape character. */
function heredocCommonRules() {
  return {
    'heredoc-marker-inline': {
      comment: 'A second heredoc marker on a heredoc line: scoped as a marker (its body is not tracked).',
      match: String.raw`(?<![<\w$])\d*<<-?(["']?)${HEREDOC_NAME}\1`,
      name: `keyword.control.heredoc-token${S}`,
    },
    'heredoc-foreign-shebang': {
      comment: 'A RUN heredoc whose first line is a shebang naming another interpreter (python, node...) is not shell.',
      begin: String.raw`^(?=#!(?!.*\b(?:ba|da|z|k|a|mk)?sh\b))`,
      end: '(?!)',
      contentName: `string.unquoted.heredoc${S}`,
    },
    'heredoc-body-expanding': {
      patterns: [{ match: String.raw`\\[$\\]`, name: `constant.character.escape${S}` }, inc('variable')],
    },
  };
}

/** The rules that do not depend on the escape character, in the order the JSON lists them. */
function common() {
  return { ...directiveRules(), ...commentRules(), ...argumentRules(), ...heredocCommonRules() };
}

/** A flavour's escape character (as a regex) and its rule names: `r('main')` is main-bs, `ir` includes one. */
function flavour(id) {
  const r = (name) => `${name}-${id}`;
  return { esc: FLAVOURS[id].esc, r, ir: (name) => inc(r(name)) };
}

/** What every instruction is made of: line continuations, escapes, strings, values, the exec form and flags. */
function basicRules({ esc, r, ir }) {
  return {
    [r('main')]: {
      patterns: [inc('comment'), ...INSTRUCTION_RULES.map((name) => ir(`instruction-${name}`))],
    },
    [r('continuation')]: {
      comment:
        'A line continuation: the escape character at the end of a line. Swallows the newline, then any comment and blank lines, so the instruction goes on.',
      begin: String.raw`(${esc})[ \t]*\n`,
      beginCaptures: { 1: { name: `constant.character.escape.line-continuation${S}` } },
      end: String.raw`^(?![ \t]*(?:#|$))`,
      patterns: [inc('comment')],
    },
    [r('escape')]: { match: `${esc}.`, name: `constant.character.escape${S}` },
    [r('string')]: {
      patterns: [
        {
          begin: '"',
          beginCaptures: { 0: { name: `punctuation.definition.string.begin${S}` } },
          end: String.raw`(")|(?=\n)`,
          endCaptures: { 1: { name: `punctuation.definition.string.end${S}` } },
          name: `string.quoted.double${S}`,
          patterns: [ir('continuation'), ir('escape'), inc('variable')],
        },
        {
          begin: "'",
          beginCaptures: { 0: { name: `punctuation.definition.string.begin${S}` } },
          end: String.raw`(')|(?=\n)`,
          endCaptures: { 1: { name: `punctuation.definition.string.end${S}` } },
          name: `string.quoted.single${S}`,
          patterns: [ir('continuation')],
        },
      ],
    },
    [r('value')]: { patterns: [ir('continuation'), ir('escape'), ir('string'), inc('variable')] },
    [r('exec-form')]: {
      comment:
        'JSON array form; only where it starts the arguments (\\G) and looks like JSON, as Docker falls back to the shell form otherwise.',
      begin: String.raw`\G[ \t]*(\[)(?=[ \t]*(?:\]|"(?:[^"\\]|\\.)*"[ \t]*(?:,|\]|${esc}[ \t]*$)))`,
      beginCaptures: { 1: { name: `punctuation.definition.array.begin${S}` } },
      end: String.raw`(\])|(?=\n)`,
      endCaptures: { 1: { name: `punctuation.definition.array.end${S}` } },
      name: `meta.exec-form${S}`,
      patterns: [ir('continuation'), inc('json-string'), { match: ',', name: `punctuation.separator.array${S}` }],
    },
    [r('flags')]: {
      comment: 'Flags such as --mount, --from, --chown right after the keyword, also on continuation lines.',
      begin: String.raw`(?<=^|[ \t])(?=--[A-Za-z])`,
      end: String.raw`(?=\n)|(?=[^\s\-${esc}]|-(?!-)|${esc}(?![ \t]*$))`,
      patterns: [
        ir('continuation'),
        {
          match: String.raw`(--[A-Za-z][A-Za-z0-9\-]*)(?:(=)((?:"[^"]*"|'[^']*'|[^\s"'])*))?`,
          captures: {
            1: { name: `variable.parameter.flag${S}` },
            2: { name: `keyword.operator.assignment${S}` },
            3: { name: `string.unquoted.flag-value${S}`, patterns: [inc('flag-value')] },
          },
        },
      ],
    },
  };
}

/**
 * One heredoc: O (outer, begin/end) finds the delimiter with a look-ahead; W (inner, begin/while) consumes the
 * marker and the rest of its line and holds the body.
 */
function heredoc({ dash, quoting, body, prefix, anchored, rest }) {
  const q = quoting === 'literal' ? `(["'])` : quoting === 'expanding' ? '()' : `(["']?)`;
  const dashRe = dash ? '-' : '(?!-)';
  const start = anchored ? String.raw`\G` : prefix ? String.raw`(?<=^|[\s;&|(])` : String.raw`(?<![<\w$])`;
  const tabs = dash ? String.raw`\t*` : '';
  const inner = {
    begin: String.raw`\G(${prefix ?? ''})(\d*<<-?(["']?)(${HEREDOC_NAME})\3)(.*)`,
    beginCaptures: {
      2: { name: `keyword.control.heredoc-token${S}` },
      5: { patterns: rest },
    },
    while: String.raw`^(?!${tabs}\4$)`,
  };
  if (body === 'shell') {
    inner.contentName = `meta.embedded.block.shellscript source.shell`;
    inner.patterns = [inc('heredoc-foreign-shebang'), { include: 'source.shell' }];
  } else {
    inner.contentName = `string.unquoted.heredoc${S}`;
    if (quoting === 'expanding') inner.patterns = [inc('heredoc-body-expanding')];
  }
  return {
    begin: String.raw`${start}(?=${prefix ?? ''}\d*<<${dashRe}${q}(${HEREDOC_NAME})\1${anchored ? ANCHORED_REST : ''})`,
    end: String.raw`^${tabs}(\2)$`,
    endCaptures: { 1: { name: `keyword.control.heredoc-token${S}` } },
    name: `meta.heredoc${S}`,
    patterns: [inner],
  };
}

/** The `<<-EOF` and the `<<EOF` variant of a heredoc. */
const bothDashes = (opts) => [heredoc({ ...opts, dash: true }), heredoc({ ...opts, dash: false })];

/**
 * Several heredocs on one line (COPY <<A <<B /dst/, RUN <<A cat >a && <<B cat >b): an outer region from the start
 * of the arguments (so that \G inside it still means "first word of the command") whose look-ahead captures the
 * LAST delimiter; inside it the single-heredoc rules take the first body, then each further line is a string line
 * until the last delimiter (the delimiters in between are lines of it too).
 */
function severalHeredocs({ ir }, single, firstLine) {
  const variants = [];
  for (const dash of [true, false]) {
    for (const quoting of ['literal', 'expanding']) {
      const q = quoting === 'literal' ? `(["'])` : '()';
      const tabs = dash ? String.raw`\t*` : '';
      const line = { match: String.raw`^(?!\G).+$`, name: `string.unquoted.heredoc${S}` };
      if (quoting === 'expanding') line.captures = { 0: { patterns: [inc('heredoc-body-expanding')] } };
      variants.push({
        // atomic groups: commit to the first "<<", then to the last one, then check it (linear time)
        begin: String.raw`\G(?=(?>.*?<<)(?>.*<<)(?<![<A-Za-z_$]<<)${dash ? '-' : '(?!-)'}${q}(${HEREDOC_NAME})\1)`,
        end: String.raw`^${tabs}(\2)$`,
        endCaptures: { 1: { name: `keyword.control.heredoc-token${S}` } },
        name: `meta.heredoc.several${S}`,
        patterns: [ir(single), line, ...firstLine],
      });
    }
  }
  return { patterns: variants };
}

/** RUN and COPY/ADD heredocs, single and several on one line. */
function heredocRules(f) {
  const { r, ir } = f;
  const runRest = [inc('heredoc-marker-inline'), ir('string'), inc('variable'), inc('shell-operator')];
  const copyRest = [inc('heredoc-marker-inline'), ir('string'), inc('variable')];
  return {
    [r('heredoc-several-run')]: severalHeredocs(f, 'heredoc-run', [
      ir('escape'),
      ir('string'),
      inc('variable'),
      inc('shell-operator'),
    ]),
    [r('heredoc-several-copy')]: severalHeredocs(f, 'heredoc-copy', [ir('escape'), ir('string'), inc('variable')]),
    [r('heredoc-run')]: {
      comment:
        'RUN heredocs: a script run by the shell when the heredoc is the command itself or is fed to sh/bash; stdin of another command (cat, python...) otherwise.',
      patterns: [
        ...bothDashes({ anchored: true, quoting: 'any', body: 'shell', rest: runRest }),
        ...bothDashes({ prefix: SHELL_NAMES, quoting: 'any', body: 'shell', rest: runRest }),
        ...bothDashes({ quoting: 'literal', body: 'string', rest: runRest }),
        ...bothDashes({ quoting: 'expanding', body: 'string', rest: runRest }),
      ],
    },
    [r('heredoc-copy')]: {
      comment: 'COPY/ADD heredocs: file contents; variables expand unless the delimiter is quoted.',
      patterns: [
        ...bothDashes({ quoting: 'literal', body: 'string', rest: copyRest }),
        ...bothDashes({ quoting: 'expanding', body: 'string', rest: copyRest }),
      ],
    },
  };
}

/** The arguments after the keyword (and flags): a zero-width region so that \G marks their start. */
const argsRegion = (patterns) => ({ begin: String.raw`(?=\S)`, end: String.raw`(?=\n)`, patterns });

/** The rules `instruction-<name>-<flavour>` of the instructions `names` (a|b|...), all with these patterns. */
function instructions({ r }, names, patterns) {
  const rules = {};
  for (const name of names.split('|'))
    rules[r(`instruction-${name}`)] = {
      begin: keyword(name),
      beginCaptures: keywordCaptures,
      end: String.raw`(?=\n)`,
      name: `meta.instruction.${name}${S}`,
      patterns,
    };
  return rules;
}

/** FROM: the image reference (name, tag, digest; variables inside) and the stage name after AS. */
function fromInstruction(f) {
  const { esc, ir } = f;
  return instructions(f, 'from', [
    ir('continuation'),
    ir('flags'),
    argsRegion([
      {
        match:
          String.raw`\G((?:IMG(?::[0-9]+)?/)*IMG)(?:(:)((?:\$\{[^}\s]*\}|\$\w+|[\w.\-])+))?(?:(@)(\S+))?`.replaceAll(
            'IMG',
            String.raw`(?:\$\{[^}\s]*\}|\$\w+|[^\s:@/$])+`,
          ),
        captures: {
          1: { name: `entity.name.type.image${S}`, patterns: [inc('variable')] },
          2: { name: `punctuation.separator.tag${S}` },
          3: { name: `constant.other.tag${S}`, patterns: [inc('variable')] },
          4: { name: `punctuation.separator.digest${S}` },
          5: { name: `constant.other.digest${S}`, patterns: [inc('variable')] },
        },
      },
      {
        match: String.raw`(?<=[ \t])((?i:as))(?=\s)(?:[ \t]+([^\s${esc}]+))?`,
        captures: {
          1: { name: `keyword.other.as${S}` },
          2: { name: `entity.name.type.stage${S}` },
        },
      },
      ...[ir('continuation'), inc('variable')],
    ]),
  ]);
}

/** The instructions whose arguments are a command or files: RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, HEALTHCHECK. */
function commandInstructions(f) {
  const { ir } = f;
  const shellArgs = [ir('continuation'), ir('escape'), ir('string'), inc('variable'), inc('shell-operator')];
  return {
    ...instructions(f, 'run', [
      ir('continuation'),
      ir('flags'),
      argsRegion([ir('exec-form'), ir('heredoc-several-run'), ir('heredoc-run'), ...shellArgs]),
    ]),
    ...instructions(f, 'cmd|entrypoint', [ir('continuation'), argsRegion([ir('exec-form'), ...shellArgs])]),
    ...instructions(f, 'shell', [ir('continuation'), argsRegion([ir('exec-form'), ...shellArgs])]),
    ...instructions(f, 'copy|add', [
      ir('continuation'),
      ir('flags'),
      argsRegion([ir('exec-form'), ir('heredoc-several-copy'), ir('heredoc-copy'), ir('value')]),
    ]),
    ...instructions(f, 'healthcheck', [
      ir('continuation'),
      ir('flags'),
      argsRegion([
        { match: String.raw`\G(?i:none)(?=\s)`, name: `constant.language.none${S}` },
        {
          begin: String.raw`\G((?i:cmd))(?=\s)`,
          beginCaptures: { 1: { name: `keyword.other.special-method${S}` } },
          end: String.raw`(?=\n)`,
          patterns: [ir('continuation'), argsRegion([ir('exec-form'), ...shellArgs])],
        },
        ir('value'),
      ]),
    ]),
  };
}

/** The instructions that declare something: ARG, ENV, LABEL, EXPOSE, STOPSIGNAL, VOLUME, USER, WORKDIR, ... */
function declarationInstructions(f) {
  const { esc, ir } = f;
  const assignment = (match) => ({
    match,
    captures: {
      1: { name: `variable.other.definition${S}` },
      2: { name: `keyword.operator.assignment${S}` },
    },
  });
  return {
    ...instructions(f, 'arg', [
      ir('continuation'),
      assignment(String.raw`(?<=^|[ \t])([A-Za-z_][A-Za-z0-9_]*)(?:(=)|(?=\s))`),
      ir('value'),
    ]),
    ...instructions(f, 'env', [
      ir('continuation'),
      {
        comment: 'Legacy form: ENV NAME value with spaces',
        match: String.raw`\G[ \t]+([A-Za-z_][A-Za-z0-9_.\-]*)(?=[ \t])`,
        captures: { 1: { name: `variable.other.definition${S}` } },
      },
      assignment(String.raw`(?<=^|[ \t])([A-Za-z_][A-Za-z0-9_.\-]*)(=)`),
      ir('value'),
    ]),
    ...instructions(f, 'label', [
      ir('continuation'),
      {
        match: String.raw`(?<=^|[ \t])([^\s="'${esc}]+|"[^"]*"|'[^']*')(=)`,
        captures: {
          1: { name: `entity.other.attribute-name.label${S}` },
          2: { name: `keyword.operator.assignment${S}` },
        },
      },
      ir('value'),
    ]),
    ...instructions(f, 'expose', [
      ir('continuation'),
      {
        match: String.raw`(?<=^|[ \t])([0-9]+(?:-[0-9]+)?)(?:(/)((?i:tcp|udp|sctp)))?(?=\s)`,
        captures: {
          1: { name: `constant.numeric.port${S}` },
          2: { name: `punctuation.separator.protocol${S}` },
          3: { name: `constant.language.protocol${S}` },
        },
      },
      ir('value'),
    ]),
    ...instructions(f, 'stopsignal', [
      ir('continuation'),
      { match: String.raw`(?<=[ \t])(?:SIG[A-Z0-9+\-]+|[0-9]+)(?=\s)`, name: `constant.language.signal${S}` },
      ir('value'),
    ]),
    ...instructions(f, 'volume', [ir('continuation'), argsRegion([ir('exec-form'), ir('value')])]),
    ...instructions(f, 'user|workdir|maintainer|onbuild', [ir('continuation'), ir('value')]),
  };
}

/** Rules that depend on the escape character, with ids suffixed by the flavour, in the order the JSON lists them. */
function flavoured(id) {
  const f = flavour(id);
  return {
    ...basicRules(f),
    ...heredocRules(f),
    ...fromInstruction(f),
    ...commandInstructions(f),
    ...declarationInstructions(f),
  };
}

const INSTRUCTION_RULES = INSTRUCTIONS.map((word) => word.toLowerCase());

function flagValue() {
  return {
    'flag-value': {
      comment: 'Inside a flag value: key=value pairs of --mount/--secret, quoted parts, variables.',
      patterns: [
        {
          match: String.raw`(?<=[=,])([A-Za-z][A-Za-z0-9_\-]*)(=)`,
          captures: {
            1: { name: `entity.other.attribute-name.flag-option${S}` },
            2: { name: `keyword.operator.assignment${S}` },
          },
        },
        { match: ',', name: `punctuation.separator.flag-option${S}` },
        { match: String.raw`"[^"]*"|'[^']*'`, name: `string.quoted${S}` },
        inc('variable'),
      ],
    },
  };
}

export function buildGrammar() {
  return {
    information_for_contributors: [
      'Generated by scripts/build-grammar.mjs: edit that file and run `node scripts/build-grammar.mjs`.',
    ],
    name: 'Dockerfile (Layer Insight)',
    scopeName: SCOPE_NAME,
    fileTypes: ['Dockerfile', 'Containerfile', 'dockerfile'],
    patterns: [inc('directives'), inc('main-bs')],
    repository: { ...common(), ...flagValue(), ...flavoured('bs'), ...flavoured('bt') },
  };
}

// Keep the instruction keyword list in one place for anyone who needs it (tests check coverage).
export { INSTRUCTIONS };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'syntaxes', 'dockerfile.tmLanguage.json');
  writeFileSync(out, JSON.stringify(buildGrammar(), null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
