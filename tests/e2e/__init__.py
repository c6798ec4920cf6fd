"""End-to-end report tests: publish real reports once per session, then inspect them."""
