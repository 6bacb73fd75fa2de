"""The embedded reference server: a Graph calendar subset over real HTTP (imports nothing from the suite)."""
