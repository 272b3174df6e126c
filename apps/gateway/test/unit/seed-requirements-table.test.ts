import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The gateway README's "Seed requirements" table is what an auditor checks the seeds against: every
// test it names must exist under that name, or the row points at nothing. A renamed or removed test
// fails here until its row is updated.
const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const readme = fs.readFileSync(readmePath, 'utf8');
const section = readme.slice(readme.indexOf('## Seed requirements: where each is implemented and tested'));

const links = new Map([...section.matchAll(/^\[([a-z0-9-]+)\]: (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
const rows = section.split('\n').filter((line) => /^\| [NJ]\d+ \|/.test(line));

interface Citation {
  row: string;
  file: string;
  name: string;
}

/** `[file][ref] › \`name\`` and the `› \`name\`` that follow it, which cite the same file. */
function citations(): Citation[] {
  const out: Citation[] = [];
  for (const line of rows) {
    const row = line.split('|')[1]!.trim();
    let file: string | undefined;
    for (const m of line.matchAll(/\[[^\]]+\]\[([a-z0-9-]+)\]|› `([^`]+)`/g)) {
      if (m[1] !== undefined) file = links.get(m[1]);
      else if (file?.includes('test')) out.push({ row, file, name: m[2]! });
    }
  }
  return out;
}

/** The string literals of a test file, unescaped; `it.each` templates become patterns. */
function namesIn(file: string): { literals: Set<string>; templates: RegExp[] } {
  const source = fs.readFileSync(path.resolve(path.dirname(readmePath), file), 'utf8');
  const literals = new Set<string>();
  const templates: RegExp[] = [];
  for (const m of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    const text = (m[1] ?? m[2] ?? m[3]!).replace(/\\(.)/g, '$1');
    literals.add(text);
    if (/%[sidjp#]|\$[a-z]|\$\{/.test(text)) {
      const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      templates.push(new RegExp(`^${escaped.replace(/%[sidjp#]|\\\$[a-z]\w*|\\\$\\\{[^}]*\\\}/g, '.+')}$`));
    }
  }
  return { literals, templates };
}

describe('the seed requirements table in the gateway README', () => {
  it('has a row per requirement of both seeds, each with five cells and a status', () => {
    expect(rows.filter((r) => r.startsWith('| N')).length).toBeGreaterThanOrEqual(60);
    expect(rows.filter((r) => r.startsWith('| J')).length).toBeGreaterThanOrEqual(45);
    for (const row of rows) {
      const cells = row.split(/(?<!\\)\|/).slice(1, -1);
      expect({ row: row.slice(0, 8), cells: cells.length }).toEqual({ row: row.slice(0, 8), cells: 5 });
      expect(cells[4]!.trim()).toMatch(/^(faithful|extension|deviation)/);
    }
  });

  it('links only files that exist', () => {
    for (const [ref, target] of links) {
      expect({ ref, exists: fs.existsSync(path.resolve(path.dirname(readmePath), target.split('#')[0]!)) }).toEqual({ ref, exists: true });
    }
  });

  it('names only tests that exist, under their exact names (describe › test)', () => {
    const cited = citations();
    expect(cited.length).toBeGreaterThan(150);
    const cache = new Map<string, ReturnType<typeof namesIn>>();
    const missing = cited.filter(({ file, name }) => {
      const names = cache.get(file) ?? namesIn(file);
      cache.set(file, names);
      return !name.split(' › ').every((part) => names.literals.has(part) || names.templates.some((t) => t.test(part)));
    });
    expect(missing).toEqual([]);
  });
});
