"""Read side of the dashboard: connection, metric functions, filters, text, formatting, export, charts."""
