"""
Mimic's dashboard: a web page at ``/mimic/dashboard`` that shows what
Mimic holds and drives its control API (the clock, known error
conditions, the journal, snapshots, reset).

It is static: an HTML page, a small hand-written script and a style
sheet, served from this package.  Everything it shows and does goes
through the public control API (``/mimic/v1.1``), so it knows no service
by name, and nothing it does is impossible from a script.
"""
