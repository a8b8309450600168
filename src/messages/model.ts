import type { Message } from '../generated/prisma/client.js';
import type { ConnectionModel } from '../pagination.js';
import type { UserModel } from '../users/model.js';

/** A message row; `author` is present when it came with the row (events). */
export type MessageModel = Message & { author?: UserModel };

/** One page of a newest-first list of messages. */
export type MessageConnectionModel = ConnectionModel<MessageModel>;
