"""Is the request what the operation declares, and is an answer what it promises.

One job: check a request's parameters and body against the compiled operation (every problem at
once, each with its location) before any state is touched, and check a response the mock did not
build itself (a replayed or proxied one) against the declared responses.

May import: ``behaviour`` (the values it hands on, such as ``UploadedFile``), ``platform``,
``state``, ``spec``. The leniencies both checks allow are ``spec/leniency.py``.

Which file for which change:
- how parameters are coerced, bodies and multipart parts parsed: ``request.py``
- status, content type and body checks of an answer: ``response.py``
"""
