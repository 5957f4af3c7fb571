"""Every read the views need: plain typed functions returning models, querysets or dataclasses."""
