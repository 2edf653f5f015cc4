"""The layout, the start and home pages, the footer pages and the health check."""
