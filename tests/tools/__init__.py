"""External tools the tests use, each probed before use: available, or skipped with a reason."""
