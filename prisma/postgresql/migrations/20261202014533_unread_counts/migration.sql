-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "unreadCount" INTEGER NOT NULL DEFAULT 0;

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
