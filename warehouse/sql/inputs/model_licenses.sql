-- Each model's first declared license with the card's license_name and license_link (read from the card data too,
-- since a card may name its license without a `license` value), for resolution against the knowledge base.
SELECT m.model_id,
       l.license_raw,
       coalesce(l.license_name, json_extract_string(m.card_data, '$.license_name')) AS license_name,
       coalesce(l.license_link, json_extract_string(m.card_data, '$.license_link')) AS license_link
FROM models m
LEFT JOIN licenses l ON l.model_id = m.model_id AND l.position = 0
ORDER BY m.model_id
