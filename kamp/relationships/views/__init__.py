"""Relationship pages, one module per page or flow: `customer_tab` (the customer's Relationship
tab, assessment, foundations, stage), `rounds` (survey rounds), `public_survey` (the contact's
private survey page), `portfolio` (the director's portfolio); `explain` puts the numbers into
words for them. `urls.py` imports the submodules."""
