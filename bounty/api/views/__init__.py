"""API views: parse input with a serializer, call a selector or a service, serialize the result."""
