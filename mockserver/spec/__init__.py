"""The spec as the mock uses it, compiled once at start-up: schemas, operations, values, answers.

One job: turn an OpenAPI document into what every step looks up per request: JSON Schema
validators (``schemas``), the operations with their parameters and responses (``operations``),
deterministic generated values (``generate``), the platform's leniencies in reading the spec
(``leniency``), and the problem-details answer every step may return (``problems``).

May import: the shared ground only (``contracts.openapi``, ``contracts.platform``,
``contracts.refs``): nothing else of the mock.

Which file for which change:
- how OpenAPI 3.0 becomes JSON Schema (``nullable``, formats): ``schemas.py``
- what is compiled per operation: ``operations.py``
- the values generated for a schema: ``generate.py``
- a request or answer the platform accepts beyond its spec: ``leniency.py``
  (data: ``contracts/platform/data/leniencies.yaml``)
- the shape of an error answer: ``problems.py``
"""
