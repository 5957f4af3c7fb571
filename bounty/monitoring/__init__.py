"""What operators watch: Prometheus metrics and the readiness probe (docs/operators.md "Monitoring").

``requests``: the web processes' own counters (prometheus_client; several processes of one server add
up through ``PROMETHEUS_MULTIPROC_DIR``). ``collector``: the platform's figures read from the database at
scrape time, so workers on every host are counted without an exporter of their own. ``probes``:
readiness (database, broker, file store).
"""
