"""Knowledge service: ingestion -> index -> retrieval -> answer composition.

Imports flow one way: ingest <- index <- retrieve <- answer <- service <- bot.actions.
Nothing here loads a model at import time (rasa-sdk's worker would refuse to start).
"""
