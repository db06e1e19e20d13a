/**
 * Writes `schema/workflow-definition.schema.json` from the zod schema of definitions
 * (`npm run schema`); run it after changing `src/definition/schema.ts` or the descriptions in
 * `workflow-schema.ts`, else `test/unit/definition/definition-file-schema.test.ts` fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE, workflowDefinitionFileSchema } from './workflow-schema.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', SCHEMA_FILE);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(workflowDefinitionFileSchema(), null, 2)}\n`);
console.log(`write-schema: wrote ${SCHEMA_FILE}`);
