// Validates an OpenAPI document (a JSON file) with @seriousme/openapi-schema-validator, an
// ES module the Jest (CommonJS) tests cannot require: they run this file with node instead.
// Prints {"valid", "version", "errors"} as JSON.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';

const validator = new Validator();
const result = await validator.validate(JSON.parse(readFileSync(process.argv[2], 'utf8')));
process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors }));
