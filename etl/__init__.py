"""ETL: read, normalise, validate and load clerk files into the DuckDB warehouse."""
