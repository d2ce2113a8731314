import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { API_TYPES_DIR, committedApiTypes, renderApiTypes, ROOT, writeApiTypes } from './console-api-types';
import { fetchServiceDocuments, type OpenApiDocument } from './service-documents';

/**
 * Writes apps/console/src/api/<service>.d.ts from every service's OpenAPI document.
 *   --check            write nothing; exit 1 naming the files that differ from what would be written
 *   --documents <file> take the documents from a JSON file ({ "<service>": document }) instead of
 *                      starting the services (the medium test passes the ones it validated)
 */
async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const from = args.indexOf('--documents');
  const documents =
    from >= 0
      ? new Map(
          Object.entries(
            JSON.parse(readFileSync(args[from + 1] ?? '', 'utf8')) as Record<string, OpenApiDocument>,
          ),
        )
      : await fetchServiceDocuments();
  const files = await renderApiTypes(documents);
  if (check) {
    const stale = [...files].filter(([path, text]) => committedApiTypes(path) !== text);
    for (const [path] of stale)
      console.error(`out of date: ${relative(ROOT, path)} (run npm run console:api)`);
    return stale.length === 0 ? 0 : 1;
  }
  mkdirSync(API_TYPES_DIR, { recursive: true });
  writeApiTypes(files);
  for (const path of files.keys()) console.log(`wrote ${relative(ROOT, path)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
