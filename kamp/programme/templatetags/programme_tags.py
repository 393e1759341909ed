from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:key }}``: a dict value by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


PERCENT_BENEFITS = {"sales_growth", "share_of_wallet"}
COUNT_BENEFITS = {"innovation"}


@register.filter
def benefit_value(value, key):
    """A benefit's figure as people read it: growth and share of wallet in percent, initiatives
    as a count, survey constructs on their 1–7 scale."""
    from django.utils.formats import number_format

    if value is None:
        return "—"
    if key in PERCENT_BENEFITS:
        return number_format(round(100 * float(value)), 0) + " %"
    if key in COUNT_BENEFITS:
        return number_format(round(float(value)), 0)
    return number_format(round(float(value), 2), 2)
