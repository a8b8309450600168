import type { Message } from '../generated/prisma/client.js';
import type { UserModel } from '../users/model.js';

/** A message row; `author` is present when it came with the row (events). */
export type MessageModel = Message & { author?: UserModel };

/** One page of a newest-first list; totalCount is counted only if asked for. */
export interface MessageConnectionModel {
  nodes: MessageModel[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  countTotal: () => Promise<number>;
}
