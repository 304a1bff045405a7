"""Where the entities live, and what each operation does to them as derived from the spec.

One job: keep entities per collection with their parent links, behind one interface
(``StateStore``) that the memory and sqlite stores both implement; and derive from the spec's
paths which collection each operation acts on and how (``resources``).

May import: ``spec`` and the shared ground (``contracts``' errors and platform data) only.

Which file for which change:
- the store interface, limits on an entity: ``store.py``
- in-process state: ``memory_store.py``; state in a file shared by processes: ``sqlite_store.py``
- how a path reads as collection, entity, lookup or action: ``resources.py``
- paging of lists (``skip``/``take``, the bound without them): ``listing.py``
"""
