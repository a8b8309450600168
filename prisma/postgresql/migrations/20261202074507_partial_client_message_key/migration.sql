-- DropIndex
DROP INDEX "Message_authorId_clientMessageId_key";

-- CreateIndex
CREATE UNIQUE INDEX "Message_authorId_clientMessageId_key" ON "Message"("authorId", "clientMessageId") WHERE ("clientMessageId" IS NOT NULL);
