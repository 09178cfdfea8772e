DROP INDEX "task_user_updated_idx";--> statement-breakpoint
DROP INDEX "task_user_completed_created_idx";--> statement-breakpoint
DROP INDEX "task_user_completed_updated_idx";--> statement-breakpoint
DROP INDEX "task_user_completed_title_idx";--> statement-breakpoint
DROP INDEX "task_title_trgm_idx";--> statement-breakpoint
DROP INDEX "task_description_trgm_idx";--> statement-breakpoint
CREATE INDEX "task_search_trgm_idx" ON "task" USING gin (("title" || ' ' || coalesce("description", '')) gin_trgm_ops);--> statement-breakpoint
-- Added by hand (drizzle-kit does not model storage parameters): room on each page for a toggled
-- row's new version, which a HOT update must place on the same page. Applies to pages written from now on.
ALTER TABLE "task" SET (fillfactor = 85);
