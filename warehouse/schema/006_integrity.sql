-- A crawl whose partitions have not all landed is recorded in `crawls` with status 'partial' and the
-- partitions still missing; its data is loaded (status 'finished') only when the last one lands. A partial
-- crawl replaced by a crawl with other settings becomes 'abandoned'.
ALTER TABLE crawls ADD COLUMN IF NOT EXISTS missing VARCHAR[];

-- The Hub lists at most 100 spaces per model: true where a model's listing hit that cap and no spaces listing of
-- the whole hub showed more, so its spaces_count (and the space_models pairs it has) is a lower bound.
ALTER TABLE models ADD COLUMN IF NOT EXISTS spaces_capped BOOLEAN;

-- Space usage counts that are lower bounds because a model's listing hit that cap.
ALTER TABLE space_model_usage ADD COLUMN IF NOT EXISTS at_least BOOLEAN;
ALTER TABLE space_org_usage ADD COLUMN IF NOT EXISTS at_least BOOLEAN;
