"""Every write the platform makes: typed keyword-only functions named ``<entity>_<verb>``."""
