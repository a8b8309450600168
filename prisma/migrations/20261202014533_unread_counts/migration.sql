-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Membership" (
    "conversationId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "joinedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastReadMessageId" TEXT,
    "lastReadAt" DATETIME,
    "unreadCount" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("conversationId", "userId"),
    CONSTRAINT "Membership_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Membership" ("conversationId", "joinedAt", "lastReadAt", "lastReadMessageId", "role", "userId") SELECT "conversationId", "joinedAt", "lastReadAt", "lastReadMessageId", "role", "userId" FROM "Membership";
DROP TABLE "Membership";
ALTER TABLE "new_Membership" RENAME TO "Membership";
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Data: the counts of the memberships that exist already, as the write path
-- keeps them from now on (others' messages after the read position, or
-- after the join while nothing is read).
UPDATE "Membership" SET "unreadCount" = (
  SELECT COUNT(*) FROM "Message" m
  WHERE m."conversationId" = "Membership"."conversationId"
    AND m."authorId" <> "Membership"."userId"
    AND m."createdAt" >= COALESCE("Membership"."lastReadAt", "Membership"."joinedAt")
    AND (m."createdAt" > COALESCE("Membership"."lastReadAt", "Membership"."joinedAt") OR m."id" > COALESCE("Membership"."lastReadMessageId", ''))
);
