"""Example input for the secrets analyzer. Every value here is fake."""

AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"  # aws-access-key
api_password = "Tr0ub4dor&3-not-real"  # secret-keyword

REGION = "eu-west-1"  # not a secret
