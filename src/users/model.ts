import type { User } from '../generated/prisma/client.js';

/** A user as the API exposes it: never carries the password hash. */
export type UserModel = Pick<User, 'id' | 'username' | 'createdAt'>;

/** Prisma `select` that loads exactly a UserModel. */
export const publicUserFields = { id: true, username: true, createdAt: true } as const;
