"""A rendered squatting person with exact ground truth: a camera source and an offline renderer."""
