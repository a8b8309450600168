-- AlterTable
ALTER TABLE "RefreshToken" ADD COLUMN "successorSecret" TEXT;
