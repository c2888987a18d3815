"""
The control plane at ``/mimic/``: what a test suite uses to drive Mimic
rather than to use the mocked cloud (the clock, failure registrations,
reset and state).  It talks to services only through the core.
"""
