"""The spec layer: Graph reference page -> model -> requirement catalog + OpenAPI description."""
