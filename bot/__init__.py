"""ZUSM hospital information assistant: Rasa project, knowledge service and actions.

Importing this package must stay cheap: the Rasa venv (Python 3.10) imports
``bot.rasa_ext`` and must not pull in torch, FAISS or the action server's code.
"""
