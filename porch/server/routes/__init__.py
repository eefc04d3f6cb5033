"""Route handlers, one module per area; `porch.server.app` lists them all."""
