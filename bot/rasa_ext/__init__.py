"""Rasa-side extensions for the hospital assistant.

Imported only by the Rasa 3.6 runtime (Python 3.10 venv), never by the action
server. Only ``rasa`` and the standard library may be imported here.

* ``tokenizer.GuardedWhitespaceTokenizer`` - NLU tokenizer that bounds and
  cleans the text before DIET sees it.
* ``channels.GuardedRestInput`` - REST channel (still ``/webhooks/rest/webhook``)
  that validates the request body and never answers a message with silence.

The classes are not re-exported here on purpose: Rasa imports them by their
full module path (``config.yml`` / ``credentials.yml``), and importing the
tokenizer eagerly would pull TensorFlow into the channel import and vice versa.
"""
