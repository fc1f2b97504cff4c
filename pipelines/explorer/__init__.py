"""`hubmine serve`: a read-only web app over the warehouse, with a JSON endpoint behind every page."""
