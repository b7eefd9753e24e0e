"""Authentication and authorization: the users file (argon2 hashes) and ACL rules on subject patterns."""
