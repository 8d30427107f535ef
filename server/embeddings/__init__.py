"""Knowledge embeddings: the embedding provider (any OpenAI-compatible endpoint) the worker and searches call."""
