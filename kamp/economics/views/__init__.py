"""Economics pages, one module per page or flow: `customer_tab` (the customer's Economics tab and
its export), `portfolio` (whale curve and programme P&L), `programme_investments`,
`settings_page`; `common` holds who may see them and the period picker. `urls.py` imports the
submodules."""
