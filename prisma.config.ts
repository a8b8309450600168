// Prisma CLI configuration (generate). The server never reads this file:
// it builds its own client from DATABASE_URL in src/db/.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
