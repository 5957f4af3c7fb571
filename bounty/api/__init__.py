"""The REST API (``/api/v1/``): thin DRF views over the same selectors and services as the pages.

Deny by default (``IsAuthenticated``; public endpoints say ``AllowAny`` themselves), every query
scoped to the requesting user, one error shape ``{"error": {"code", "message", "field"}}``.
"""
