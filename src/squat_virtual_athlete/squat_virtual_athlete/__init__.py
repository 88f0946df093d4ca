"""A rendered squatting person with exact ground truth: a camera node and an offline renderer."""
