"""What the REST API, TAXII and the web UI share: request dependencies and the one error handler."""
