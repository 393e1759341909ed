"""Interaction pages, one module per page or flow: `customer_tab` (the customer's Interactions
tab and recording an interaction), `coverage`, `dmu` (the DMU map), `portfolio` (one person's log,
the portfolio's risks, the settings), `calendar_import`. `urls.py` imports the submodules."""
