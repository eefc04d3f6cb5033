"""The HTTP server: the only package that imports Starlette and uvicorn."""
