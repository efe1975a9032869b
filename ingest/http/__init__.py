"""The server over HTTP: the application, its middlewares and one module of thin handlers
per resource. The only room of ``ingest`` that imports aiohttp."""
