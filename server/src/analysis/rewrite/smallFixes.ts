// The fixes of the rules whose rewrite is a few characters or one step: ADD written as COPY, and a lone
// `RUN apt-get update` removed or moved into the install that follows it. Rules decide when; these write the edits.

import type { DockerfileModel, Fix, Step } from '../model';
import { commandsOf } from '../shell';
import { isAptUpdate } from '../packageCommands';
import { deleteStep, insertAt } from './edits';
import { commandStart } from './runEdits';

/** `ADD` -> `COPY` on the keyword as written (lower case kept); [] when the keyword is not spelled out there. */
export function addToCopyFix(model: DockerfileModel, step: Step): Fix[] {
  const text = (model.lines[step.line - 1] ?? '').substr(step.column - 1, 3);
  if (text.toUpperCase() !== 'ADD') return [];
  return [
    {
      title: 'Use COPY',
      preferred: true,
      edits: [
        {
          startLine: step.line,
          startColumn: step.column,
          endLine: step.line,
          endColumn: step.column + 3,
          newText: text === 'add' ? 'copy' : 'COPY',
        },
      ],
    },
  ];
}

/**
 * A lone `RUN apt-get update` before the install at `next`: removed when `next` updates the index itself, else
 * moved into it (`apt-get update && ` before its first command); [] when `next` cannot take it (exec form, heredoc).
 */
export function aptUpdateAloneFixes(model: DockerfileModel, step: Step, next: Step): Fix[] {
  if (commandsOf(next).some(isAptUpdate))
    return [
      {
        title: `Remove this RUN: line ${next.line} updates the index itself`,
        preferred: true,
        edits: [deleteStep(model, step)],
      },
    ];
  const start = commandStart(model, next);
  if (!start || next.execForm || next.heredocs.length > 0) return [];
  return [
    {
      title: `Move apt-get update into the RUN at line ${next.line}`,
      preferred: true,
      edits: [deleteStep(model, step), insertAt(start.line, start.column, 'apt-get update && ')],
    },
  ];
}
