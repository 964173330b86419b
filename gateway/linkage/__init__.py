"""The master person index, built from the departments' own records (`citizen-gateway link`).

The stages, one module each, in the order a run goes through them:

- identity: which columns identify a person, read from schema.graphql (`@element`);
- extract: those columns only, read from each department database in place through the
  embedded engine's attachments (the same connectors/ files), standardised alike;
- model: one Splink model per department linking its records to the registry's citizens
  (Fellegi-Sunter: u by random sampling, m by expectation maximisation, term frequencies);
- decide: the best citizen for each record, with the margin to the second, against the
  automatic threshold and the review band, reviewers' decisions winning over the model;
- index: the links, review queue and model written back to the registry, one transaction per
  department, so the gateway never reads a half-built index.

The generator's ground truth (registry_truth) is never attached: the linker cannot read it.
"""
