"""Helpers shared by the tests: the server process, HTTP assertions, the Kafka broker, proofs."""
