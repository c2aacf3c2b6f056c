"""Pydantic models of every lexgraph node and edge, their ids, and the graph DDL derived from them."""
