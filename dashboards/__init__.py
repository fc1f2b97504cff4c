"""Static dashboard site: plotly figures from the warehouse's result tables, one page per area."""
