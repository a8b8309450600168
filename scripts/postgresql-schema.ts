// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma.
//
// Prisma needs one schema file per provider. The SQLite schema is the one
// source of truth for the models; this twin only changes what PostgreSQL does
// better (timestamptz) and where its client is generated. `npm run codegen`
// runs this, and `npm run codegen:check` fails if the twin is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const SOURCE = 'prisma/schema.prisma';
const TARGET = 'prisma/postgresql/schema.prisma';

export function toPostgresqlSchema(sqlite: string): string {
  const body = sqlite
    .replace(/output(\s*)= "\.\.\/src\/generated\/prisma"/, 'output$1= "../../src/generated/prisma-postgresql"')
    .replace(/provider = "sqlite"/, 'provider = "postgresql"')
    // Timestamps with time zone, millisecond precision (what JavaScript Dates hold).
    .replace(/^(\s+\w+\s+DateTime\??)(.*)$/gm, (_line, field: string, rest: string) => `${field}${rest} @db.Timestamptz(3)`);
  if (!body.includes('provider = "postgresql"') || !body.includes('prisma-postgresql')) {
    throw new Error(`${SOURCE} no longer has the shape this script rewrites; update scripts/postgresql-schema.ts`);
  }
  return `// GENERATED from ${SOURCE} by scripts/postgresql-schema.ts (npm run codegen). Do not edit.\n${body}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(TARGET, toPostgresqlSchema(readFileSync(SOURCE, 'utf8')));
  console.log(`wrote ${TARGET}`);
}
