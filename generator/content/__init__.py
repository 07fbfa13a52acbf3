"""Stage 1, content: read a leaflet's YAML safely, validate it against the model, and apply the required-section rules."""
