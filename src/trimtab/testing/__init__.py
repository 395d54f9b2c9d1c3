"""Conformance suites for samplers and storages, usable by third-party implementations.

``trimtab.testing.samplers.SamplerContract`` and ``trimtab.testing.storages.StorageContract``
are plain classes: subclass them in a pytest module (with a ``Test`` prefix) and implement the
factory method.
"""

__all__: list[str] = []
