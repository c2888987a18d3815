"""
One package per mocked service: its model, routes, errors and known
failure conditions.
"""
