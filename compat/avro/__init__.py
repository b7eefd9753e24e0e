"""Avro: parsing, Confluent's canonical string, normalisation and schema-resolution checks."""
