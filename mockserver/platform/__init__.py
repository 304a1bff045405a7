"""What the platform does beyond storing entities: lifecycles in time, files, passports, downloads.

One job: play the platform's own behaviour for the operations it owns (an upload that processes,
a building that refines, a passport that is written, a file that is downloaded), from the shared
data in ``contracts/platform/data`` (the same the runner and proxy read). Beside ``behaviour``:
its handlers are built from the behaviour step's (``behaviour/entities.py``), never the reverse.

May import: ``behaviour``, ``state``, ``spec`` and ``contracts.platform``.

Which file for which change:
- a new lifecycle: ``contracts/platform/data/lifecycles.yaml``, then the trigger's work in
  ``lifecycle_work.py`` (binding to operations and guards: ``lifecycle.py``)
- how a job plays out over time (steps, delay, forced failures): ``jobs.py``
- files and images attached by multipart upload: ``attachments.py``
  (data: ``contracts/platform/data/attachments.yaml``)
- the bytes of a PDF or XLSX passport: ``passports.py``; download URLs: ``downloads.py``
- a field the platform computes from the state (an element's mapping, a file's counts, validation
  and circularity figures, a bill of materials' shares): ``computed.py`` (rules:
  ``contracts/platform/figures.py``, ``refinement.py``, ``bill_of_materials.py``)
- the IFC import of an uploaded file, as a step of its job: ``element_import.py``
  (``contracts/platform/ifc_import.py``)
"""
