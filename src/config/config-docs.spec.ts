import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';

/** The README's configuration table and `.env.example` must list every variable the app reads, and no other. */
describe('configuration docs', () => {
  const variables = AppModule.configs.flatMap((definition) => Object.keys(definition.env.shape)).sort();
  const root = join(__dirname, '..', '..');

  it('.env.example lists every variable, each with a comment', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(variables);
  });

  it('the README configuration table lists every variable', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const text = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
    const listed = [...text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(variables);
  });

  it('every variable has a description', () => {
    for (const definition of AppModule.configs) {
      for (const [name, schema] of Object.entries(definition.env.shape)) {
        expect({ name, description: (schema as { description?: string }).description }).toEqual({ name, description: expect.stringMatching(/\S/) });
      }
    }
  });
});
