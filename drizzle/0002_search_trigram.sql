-- drizzle-kit never writes CREATE EXTENSION; the trigram indexes below need it (added by hand).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "task_title_trgm_idx" ON "task" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "task_description_trgm_idx" ON "task" USING gin ("description" gin_trgm_ops);