from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ labels|get_item:key }}``: a dict value by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
