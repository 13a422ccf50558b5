"""Typed, frozen models of the in-scope AWS resources, and the Inventory that links them."""
