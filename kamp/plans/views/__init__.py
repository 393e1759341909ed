"""Account plan pages, one module per page or flow: `plan_tab` (the customer page's Plan tab),
`sections` (each section's inline editing), `joint_plan` (sharing a plan and the customer's
public page), `portfolio` ("my actions" and the portfolio of plans); `common` holds what they
share. `urls.py` imports the submodules."""
