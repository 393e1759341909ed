from django.conf import settings


def kamp(request):
    return {"KAMP_DEBUG": settings.DEBUG}
