"""Selection pages, one module per page or flow: `matrix` (the portfolio matrix and its snapshots),
`grid` (the scoring grid), `customer` (the customer's Selection tab and decision),
`model_editing` (selection models and their factors). `urls.py` imports the submodules."""
