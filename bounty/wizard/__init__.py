"""The create-competition wizard's plain data code: streaming an organizer's files (``reading``), the
problems found in them (``problems``), guessing a schema (``infer``, ``schema_build``), typing and
splitting the rows (``prepare``), competition definitions (``definition``), training a platform base
model (``training``) and the pre-flight of the rules (``preflight``, over ``scoring.preflight``);
``forms`` holds the wizard's Django forms and ``files`` reads the last-mile audits' small tables."""
