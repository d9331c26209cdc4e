import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { switchFileSchema } from './degradation.schemas';
import type { SwitchState } from './degradation.types';

/** A switches file read: the switches, or why the file was rejected. */
export type SwitchFileResult =
  { readonly ok: true; readonly switches: ReadonlyMap<string, SwitchState> } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses a switches file's text: JSON for `.json`, YAML for `.yaml`/`.yml` (chosen by extension;
 * anything else is rejected). The content must be `{ "switches": { "<feature>": "on|off|fallback" } }`
 * and nothing else; an empty file is rejected too (a half-written file must not clear every switch:
 * write `switches: {}` for none).
 */
export function parseSwitchFile(path: string, text: string): SwitchFileResult {
  const extension = extname(path).toLowerCase();
  if (text.trim() === '') return { ok: false, problems: ['the file is empty (write "switches: {}" for no switches)'] };
  let raw: unknown;
  try {
    switch (extension) {
      case '.json':
        raw = JSON.parse(text);
        break;
      case '.yaml':
      case '.yml':
        raw = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
        break;
      default:
        return { ok: false, problems: [`unsupported extension "${extension}": use .json, .yaml or .yml`] };
    }
  } catch (error) {
    return { ok: false, problems: [`not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${firstLine(error)}`] };
  }
  const result = switchFileSchema.safeParse(raw);
  if (!result.success) {
    return { ok: false, problems: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the file'}: ${issue.message}`) };
  }
  return { ok: true, switches: new Map(Object.entries(result.data.switches)) };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
