SELECT parent_value, child_value, edges FROM license_transitions WHERE crawl_id = $crawl AND level = 'category'
