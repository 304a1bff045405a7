"""What the suite knows about the Madaster platform, beyond what a spec says, kept as data.

One place read by the mock, the contract runner and the validating proxy alike:

- ``catalogue``: reference data per API version (folder types, building usages, classification
  methods, standard databases and their commodities, ...), from ``data/``;
- ``lifecycles``: how long-running work moves entities through their statuses (building files,
  passports, activation), from ``data/``;
- ``attachments``: which uploads attach files and images to which entities, from ``data/``;
- ``uploads``: an upload carries its file (the specs leave the part optional);
- ``ifc_import``: how an uploaded IFC file becomes building-file elements (with IfcOpenShell);
- ``refinement``, ``figures``, ``bill_of_materials``: what the platform computes from its state
  (mappings, file status counts, validation and circularity figures, bill-of-materials weights),
  with the rules in ``data/computations.yaml``;
- ``leniency``: the known spec defects and the repairs the platform's real behaviour needs
  (date-times without an offset, unsatisfiable ``allOf`` commodity schemas).
"""
