"""One request, one module per stage, in the order they run (service.py runs them):
limits → plan → (policy.authorize) → compile → engine → shape, with trace.py recording it,
degraded.py answering without a department that is down and backpressure.py bounding the load."""
