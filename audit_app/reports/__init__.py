"""Reports for the Quality Assurance subgroup (built on the submissions; see DESIGN §6)."""
