"""Fixture datasets for the tests of helpers.data (see builders.py and make_corpus.py)."""
