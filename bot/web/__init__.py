"""Web front end (chat page, Rasa proxy, FAQ pages) for the ZUSM hospital assistant."""
