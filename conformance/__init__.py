"""graph-conformance: does a Graph-compatible server's `event: cancel` behave as Microsoft documents it?"""

__version__ = "0.1.0"
