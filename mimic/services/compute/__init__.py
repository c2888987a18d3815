# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Compute: a stateful Nova (API v2 and v2.1 with microversions) per tenant
and region, with its known error conditions.

A request goes one way: :mod:`.plugin` (the IAPIMock) -> :mod:`.routes`
(Klein) -> :mod:`.validation` (the body, or Nova's 400) -> the failure
engine, asked once, with what each condition does declared in
:mod:`.failures` -> :mod:`.model` (state and rules, no HTTP; its errors
are answered as :mod:`.errors` says) -> :mod:`.views` (the JSON).
:mod:`.web` holds the request context, links and paging every handler
shares; :mod:`.versions` the version documents and microversions.
Server actions run in :mod:`.actions`; flavors, images, keypairs, limits,
quotas and zones are Klein apps of their own in modules so named.
"""
