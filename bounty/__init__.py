"""The bias-bounty web platform (Django project and app)."""

from bounty.celery import app as celery_app

__all__ = ("celery_app",)
