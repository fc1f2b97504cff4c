-- Over the in-memory search_ids table: prefix matches (of the id or of the name after the author) first.
SELECT id, downloads, likes, license, pipeline_tag, synthetic,
       starts_with(lid, lower($q)) OR starts_with(lname, lower($q)) AS prefix
FROM search_ids
WHERE contains(lid, lower($q)) AND ($scope = 'all' OR synthetic = ($scope = 'synthetic'))
ORDER BY prefix DESC, downloads DESC NULLS LAST, id
LIMIT $limit
