"""Service-level objectives: definitions (`policies/slos.yaml`), the pure SLI/window core
(:class:`pipelines.slo.processor.SloProcessor`), worker metrics, and the generated Prometheus
rules and Grafana dashboards. See docs/slo.md."""
