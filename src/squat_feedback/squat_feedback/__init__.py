"""Coaching feedback grounded in a fitness knowledge base."""
