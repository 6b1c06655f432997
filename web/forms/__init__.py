"""The pages' forms, one module per feature."""
