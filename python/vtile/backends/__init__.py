"""Back ends: IREE 3.13 targets, compilation to vmfb and running on numpy."""
