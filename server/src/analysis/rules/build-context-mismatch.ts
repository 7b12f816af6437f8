// build-context-mismatch (no hadolint equivalent)
//
// What: most COPY/ADD sources (without a wildcard) of the stages the build runs are not in the folder read as the
// build context: a Dockerfile kept in docker/ and built with `docker build -f docker/Dockerfile .`, or analysed
// on its own. One information finding at the first such COPY, instead of a copy-source-missing warning on each.
// Why: the sizes of those copies, the manifests the estimates read and the cache model's view of the context all
// come from that folder; the user should know they are unknown, and how to point the CLI at the right folder. The
// editor reads the Dockerfile's folder; nothing in the file is wrong, so this is information, not a warning.
// No fix.

import { atKeyword, checkContextSources, looksLikeAnotherContext, quoted } from '../contextSources';
import type { Rule } from './rule';

export const buildContextMismatch: Rule = {
  id: 'build-context-mismatch',
  severity: 'info',
  description: 'Most COPY sources are not in the folder read as the build context: it is probably another folder.',
  check({ model, facts }) {
    const check = checkContextSources(model, facts.context);
    if (!check || !facts.context || !looksLikeAnotherContext(check, facts.context)) return [];
    const { absent, present } = check;
    const names = [...new Set(absent.map((a) => quoted(a.source.raw)))];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
    const which =
      present === 0
        ? `None of this file's COPY/ADD sources (${shown}) is`
        : `${absent.length} of this file's ${absent.length + present} COPY/ADD sources (${shown}) are not`;
    return [
      {
        ...atKeyword(absent[0].step),
        message: `${which} in ${quoted(facts.context.root)}, the folder read as the build context: the build most likely uses another folder (\`docker build -f path/Dockerfile <context>\`). Sizes of these copies are unknown; give the CLI \`--context DIR\` to read the right one.`,
        fixes: [],
      },
    ];
  },
};
