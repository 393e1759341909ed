def card(request, customer):
    """This area's card on the customer summary: (template, context) or None."""
    return None
