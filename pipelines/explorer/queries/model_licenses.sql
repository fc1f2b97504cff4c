SELECT position, license_raw, license_id, spdx, category, license_name, license_link, resolution
FROM licenses WHERE model_id = $id ORDER BY position
