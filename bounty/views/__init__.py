"""Thin views: parse input, call a selector or a service, render."""
