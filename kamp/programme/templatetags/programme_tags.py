from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:key }}``: a dict value by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


PERCENT_BENEFITS = {"share_of_wallet"}
AMOUNT_BENEFITS = {"sales_growth"}  # net sales of each 12 months, in the base currency
COUNT_BENEFITS = {"innovation"}


@register.filter
def benefit_value(value, key):
    """A benefit's figure as people read it: sales as an amount, share of wallet in percent,
    initiatives as a count, survey constructs on their 1–7 scale."""
    from kamp.core.formatting import format_number, format_percent

    if value is None:
        return "—"
    if key in PERCENT_BENEFITS:
        return format_percent(value, 0)
    if key in AMOUNT_BENEFITS or key in COUNT_BENEFITS:
        return format_number(value, 0)
    return format_number(value, 2)


@register.simple_tag
def measure(value, kind, currency="", signed=False):
    """A before/after figure: money with its currency, a share in percent, a score with two
    decimals; ``signed`` puts a + before a rise (a change, not a level)."""
    from kamp.core.formatting import format_number, format_percent
    from kamp.core.money import format_money

    if value is None:
        return "—"
    sign = "+" if signed and value > 0 else ""
    if kind == "money":
        return sign + format_money(value, currency)
    if kind == "ratio":
        return sign + format_percent(value, 1)
    return sign + format_number(value, 2)
