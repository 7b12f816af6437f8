// SARIF 2.1.0 output for code-scanning tools (GitHub, GitLab, Azure DevOps). One run, one result per finding;
// fixes become SARIF fixes with artifactChanges.

import type { Analysis, Severity } from '../analysis/model';
import { RULES } from '../analysis/rules';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
  hint: 'note',
};

export function toSarif(files: { file: string; analysis: Analysis }[], version: string): object {
  const ruleIds = new Set<string>();
  for (const { analysis } of files) for (const f of analysis.findings) ruleIds.add(f.rule);
  const known = RULES.filter((r) => ruleIds.has(r.id));
  const rules = [...ruleIds].sort().map((id) => {
    const r = known.find((k) => k.id === id);
    return {
      id,
      name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: r?.description ?? id },
      ...(r?.hadolint ? { properties: { hadolint: r.hadolint } } : {}),
      defaultConfiguration: { level: LEVEL[r?.severity ?? 'warning'] },
    };
  });
  const results = files.flatMap(({ file, analysis }) => {
    const uri = artifactUri(file);
    return analysis.findings.map((f) => ({
      ruleId: f.rule,
      ruleIndex: rules.findIndex((r) => r.id === f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri },
            region: { startLine: f.line, endLine: f.endLine, ...(f.column ? { startColumn: f.column } : {}) },
          },
        },
      ],
      ...(f.fixes.length
        ? {
            fixes: f.fixes.map((x) => ({
              description: { text: x.title },
              artifactChanges: [
                {
                  artifactLocation: { uri },
                  replacements: x.edits.map((e) => ({
                    deletedRegion: {
                      startLine: e.startLine,
                      startColumn: e.startColumn,
                      endLine: e.endLine,
                      endColumn: e.endColumn,
                    },
                    insertedContent: { text: e.newText },
                  })),
                },
              ],
            })),
          }
        : {}),
    }));
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'layer-insight',
            informationUri: 'https://github.com/layer-insight/dockerfile-layer-insight',
            version,
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

function artifactUri(file: string): string {
  // relative paths stay relative (what code-scanning uploads expect); absolute ones become file URLs
  return path.isAbsolute(file) ? pathToFileURL(file).href : file.split(path.sep).join('/');
}
