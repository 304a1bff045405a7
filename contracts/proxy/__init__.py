"""The validating proxy: forward → validate → report → record, one small module per step.

``forwarding`` talks to the target, ``contract`` validates with the mock's validation core,
``exchange`` is what one request/response pair leaves behind, ``reporting`` prints and logs it,
``recording`` writes HAR 1.2, ``app`` is the WSGI callable and ``command`` the CLI.
"""
