SELECT table_name, estimated_size AS rows FROM duckdb_tables() ORDER BY table_name
