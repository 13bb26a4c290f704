// Writes the gateway's /openapi.json (built from the contracts, no services needed) to the file named, for the
// linters in `pnpm lint:openapi`: Redocly (redocly.yaml), Spectral's spectral:oas (.spectral-oas.yaml, warnings
// fail) and the OWASP API Security ruleset (.spectral.yaml, errors fail).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from '../services/gateway/src/http/openapi.ts';

const file = resolve(process.argv[2] ?? 'var/openapi.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
