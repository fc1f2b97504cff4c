-- Who committed to whose repo: one row per (commit author, repo owner, repo), the hub's bookkeeping left out.
SELECT DISTINCT a AS author, m.author AS owner, c.model_id
FROM commits c JOIN models m USING (model_id), unnest(c.authors) AS t(a)
WHERE a IS NOT NULL AND a <> 'system'
