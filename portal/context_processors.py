from django.utils.functional import SimpleLazyObject

from premises.selectors import company_current

from .navigation import tabs_for


def layout(request):
    match = getattr(request, "resolver_match", None)
    return {
        "nav_tabs": tabs_for(request),
        "active_tab": match.namespace if match else "",
        "company": SimpleLazyObject(company_current),
    }
