"""
The example plugin's tests: against a whole Mimic in memory
(:class:`mimic.testing.InMemoryMimic`), and one against a real ``twistd
mimic`` (:class:`mimic.testing.MimicProcess`).
"""
