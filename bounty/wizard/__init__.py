"""The create-competition wizard's helpers: reading uploaded tables (``files``), guessing a schema
(``infer``, ``schema_build``), training a platform base model (``training``) and the pre-flight
holdout-size check (``preflight``) are plain data code; ``forms`` holds the wizard's Django forms."""
