// Prisma's error codes that the domain reacts to, checked by name instead of
// inline casts. (Driver-adapter errors carry the same `code` on both
// providers.)
const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/** A unique constraint refused the write (P2002). */
export const isUniqueViolation = (error: unknown): boolean => codeOf(error) === 'P2002';

/** The row to update or delete no longer exists (P2025). */
export const isRecordNotFound = (error: unknown): boolean => codeOf(error) === 'P2025';
