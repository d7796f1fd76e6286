"""Package data: the goAML settings shipped with dentrace (``goaml.toml``, the default, and
``goaml-<profile>.toml`` overlays), read through importlib.resources."""
