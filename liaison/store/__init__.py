"""The repository: the only code that writes SQL. Every read of intelligence takes a Principal."""
