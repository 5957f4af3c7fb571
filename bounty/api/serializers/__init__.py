"""Serializers of the API. Every field is typed, so the OpenAPI schema says exactly what is sent."""
