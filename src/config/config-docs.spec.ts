import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';

/** The configuration table of docs/configuration.md and `.env.example` must list every variable the app reads, and no other. */
describe('configuration docs', () => {
  const variables = AppModule.configs.flatMap((definition) => Object.keys(definition.env.shape)).sort();
  const root = join(__dirname, '..', '..');

  it('.env.example lists every variable, each with a comment', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const listed = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(variables);
  });

  it('the docs/configuration.md table lists every variable', () => {
    const docs = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    // The table `npm run config:docs` writes, between its two markers.
    const text = docs.slice(docs.indexOf('<!-- config-docs:'), docs.indexOf('<!-- /config-docs -->'));
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
